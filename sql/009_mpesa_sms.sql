-- 009_mpesa_sms.sql - M-Pesa (Daraja) and SMS: each tenant's settings
-- (secrets sealed with secret_key), the shared OAuth token, every STK push
-- and C2B payment with its outcome, every callback as it came, and every
-- SMS with its provider's answer.

-- A tenant's Daraja account.  callback_secret is the unguessable part of the
-- callback URL (Daraja signs nothing).
CREATE TABLE IF NOT EXISTS mpesa_settings (
  tenant_id           BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  enabled             TINYINT(1) NOT NULL DEFAULT 0,
  shortcode           VARCHAR(20) NOT NULL DEFAULT '',
  transaction_type    ENUM('paybill','buygoods') NOT NULL DEFAULT 'paybill',
  till_number         VARCHAR(20) NULL,
  passkey_enc         VARCHAR(512) NULL,
  consumer_key_enc    VARCHAR(512) NULL,
  consumer_secret_enc VARCHAR(512) NULL,
  callback_secret     CHAR(40) NOT NULL,
  -- confirm a success by STK query before granting service
  confirm_by_query    TINYINT(1) NOT NULL DEFAULT 0,
  -- a push still pending after this long is resolved by STK query (sweep)
  pending_minutes     INT NOT NULL DEFAULT 3,
  updated_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_mpesa_callback (callback_secret),
  CONSTRAINT fk_mpesa_settings_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The OAuth token of a tenant's credentials, shared by every worker and
-- renewed before it expires.
CREATE TABLE IF NOT EXISTS mpesa_tokens (
  tenant_id  BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  token_enc  VARCHAR(512) NOT NULL,
  expires_at DATETIME(6) NOT NULL
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS mpesa_transactions (
  id                   BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uuid                 CHAR(36) NOT NULL,
  tenant_id            BIGINT UNSIGNED NOT NULL,
  kind                 ENUM('plan','invoice','c2b') NOT NULL,
  checkout_request_id  VARCHAR(100) NULL,
  merchant_request_id  VARCHAR(100) NULL,
  phone                VARCHAR(20) NOT NULL,
  mac_address          VARCHAR(17) NULL,
  amount               DECIMAL(12,2) NOT NULL,
  account_reference    VARCHAR(20) NULL,
  description          VARCHAR(20) NULL,
  customer_id          BIGINT UNSIGNED NULL,
  plan_id              BIGINT UNSIGNED NULL,
  router_id            BIGINT UNSIGNED NULL,
  invoice_id           BIGINT UNSIGNED NULL,
  subscription_id      BIGINT UNSIGNED NULL,
  payment_id           BIGINT UNSIGNED NULL,
  owner_id             BIGINT UNSIGNED NULL,
  status               ENUM('pending','completed','failed','cancelled','expired') NOT NULL DEFAULT 'pending',
  result_code          INT NULL,
  result_desc          VARCHAR(255) NULL,
  mpesa_receipt_number VARCHAR(30) NULL,
  lipay_tx_no          VARCHAR(50) NULL,
  transaction_date     DATETIME(6) NULL,
  callbacks            INT NOT NULL DEFAULT 0,
  created_at           DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at           DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_mpesa_uuid (uuid),
  UNIQUE KEY uq_mpesa_checkout (checkout_request_id),
  -- a receipt is paid for once, whichever way it arrives (STK or C2B)
  UNIQUE KEY uq_mpesa_receipt (mpesa_receipt_number),
  KEY ix_mpesa_tenant_date (tenant_id, created_at),
  KEY ix_mpesa_tenant_status (tenant_id, status, created_at),
  KEY ix_mpesa_router (tenant_id, router_id, created_at),
  KEY ix_mpesa_pending (status, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every callback and C2B call as it came, accepted or not, and why.
CREATE TABLE IF NOT EXISTS mpesa_events (
  id                  BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tenant_id           BIGINT UNSIGNED NULL,
  kind                ENUM('stk_callback','c2b_validation','c2b_confirmation','stk_query') NOT NULL,
  checkout_request_id VARCHAR(100) NULL,
  receipt             VARCHAR(30) NULL,
  outcome             ENUM('applied','duplicate','refused','failed','pending') NOT NULL,
  reason              VARCHAR(255) NULL,
  remote_addr         VARCHAR(45) NULL,
  body                MEDIUMTEXT NULL,
  created_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_mpesa_events (tenant_id, created_at),
  KEY ix_mpesa_events_checkout (checkout_request_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A tenant's SMS provider (002's fields) and what it sends on its own.
CREATE TABLE IF NOT EXISTS sms_settings (
  tenant_id        BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  provider         ENUM('advanta','generic') NOT NULL DEFAULT 'advanta',
  enabled          TINYINT(1) NOT NULL DEFAULT 0,
  api_key_enc      VARCHAR(512) NULL,
  partner_id       VARCHAR(100) NULL,
  shortcode        VARCHAR(50) NULL,
  custom_api_url   VARCHAR(500) NULL,
  send_receipts    TINYINT(1) NOT NULL DEFAULT 1,
  send_reminders   TINYINT(1) NOT NULL DEFAULT 1,
  reminder_hours   INT NOT NULL DEFAULT 24,
  updated_at       DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  CONSTRAINT fk_sms_settings_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS sms_messages (
  id                   BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tenant_id            BIGINT UNSIGNED NOT NULL,
  kind                 ENUM('manual','receipt','reminder') NOT NULL DEFAULT 'manual',
  provider             VARCHAR(20) NOT NULL,
  to_phone             VARCHAR(20) NOT NULL,
  message              TEXT NOT NULL,
  status               ENUM('queued','sent','failed') NOT NULL DEFAULT 'queued',
  provider_message_id  VARCHAR(100) NULL,
  provider_code        VARCHAR(20) NULL,
  error                VARCHAR(255) NULL,
  customer_id          BIGINT UNSIGNED NULL,
  subscription_id      BIGINT UNSIGNED NULL,
  mpesa_transaction_id BIGINT UNSIGNED NULL,
  -- a reminder is sent once per subscription end date
  reminder_for         DATETIME(6) NULL,
  created_at           DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  sent_at              DATETIME(6) NULL,
  KEY ix_sms_tenant (tenant_id, created_at),
  UNIQUE KEY uq_sms_receipt (mpesa_transaction_id, kind),
  UNIQUE KEY uq_sms_reminder (subscription_id, kind, reminder_for)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO permission_categories (uuid, tenant_id, name, code, description) VALUES
  (UUID(), NULL, 'Payments integrations', 'integrations', 'M-Pesa and SMS');

INSERT IGNORE INTO permissions (uuid, tenant_id, category_id, codename, name)
SELECT UUID(), NULL, c.id, p.codename, p.name
FROM (
  SELECT 'integrations' AS cat, 'mpesa.view' AS codename, 'Can view M-Pesa transactions' AS name UNION ALL
  SELECT 'integrations', 'mpesa.pay', 'Can start M-Pesa payments (STK push)' UNION ALL
  SELECT 'integrations', 'mpesa.manage', 'Can change M-Pesa settings' UNION ALL
  SELECT 'integrations', 'sms.send', 'Can send SMS' UNION ALL
  SELECT 'integrations', 'sms.manage', 'Can change SMS settings'
) p JOIN permission_categories c ON c.code = p.cat AND c.tenant_id IS NULL;

INSERT IGNORE INTO role_permissions (role_id, permission_id)
SELECT r.id, p.id FROM roles r JOIN permissions p
WHERE r.tenant_id IS NULL AND p.tenant_id IS NULL AND (
     (r.name IN ('super_admin', 'admin') AND SUBSTRING_INDEX(p.codename, '.', 1) IN ('mpesa', 'sms'))
  OR (r.name IN ('billing_manager', 'accountant') AND p.codename IN ('mpesa.view', 'mpesa.pay',
        'sms.send'))
  OR (r.name IN ('reseller_admin', 'support_staff') AND p.codename IN ('mpesa.view', 'mpesa.pay',
        'sms.send'))
  OR (r.name = 'sub_reseller_admin' AND p.codename IN ('mpesa.view', 'mpesa.pay')));
