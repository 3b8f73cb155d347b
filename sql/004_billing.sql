-- 004_billing.sql - the billing core: routers, plans, customers,
-- subscriptions and their router jobs, invoices, payments, tickets, leads;
-- gapless per-tenant numbering; the permissions they need.

CREATE TABLE IF NOT EXISTS routers (
  id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uuid           CHAR(36) NOT NULL,
  tenant_id      BIGINT UNSIGNED NOT NULL,
  owner_id       BIGINT UNSIGNED NULL,
  name           VARCHAR(100) NOT NULL,
  description    VARCHAR(500) NULL,
  router_type    ENUM('mikrotik','cisco','other') NOT NULL DEFAULT 'mikrotik',
  host           VARCHAR(255) NOT NULL,
  api_port       INT NOT NULL DEFAULT 8728,
  use_tls        TINYINT(1) NOT NULL DEFAULT 0,
  ssh_port       INT NOT NULL DEFAULT 22,
  username       VARCHAR(100) NOT NULL DEFAULT 'admin',
  password_enc   VARCHAR(512) NULL,
  status         ENUM('online','offline','maintenance') NOT NULL DEFAULT 'offline',
  last_seen      DATETIME(6) NULL,
  location       VARCHAR(200) NULL,
  coordinates    VARCHAR(100) NULL,
  snmp_community VARCHAR(100) NOT NULL DEFAULT 'public',
  snmp_port      INT NOT NULL DEFAULT 161,
  notes          TEXT NULL,
  callback_key   CHAR(32) NOT NULL,
  created_at     DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at     DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  deleted_at     DATETIME(6) NULL,
  UNIQUE KEY uq_routers_uuid (uuid),
  UNIQUE KEY uq_routers_name (tenant_id, name),
  KEY ix_routers_status (tenant_id, status),
  CONSTRAINT fk_routers_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS plans (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uuid            CHAR(36) NOT NULL,
  tenant_id       BIGINT UNSIGNED NOT NULL,
  owner_id        BIGINT UNSIGNED NULL,
  name            VARCHAR(100) NOT NULL,
  description     TEXT NULL,
  connection_type ENUM('hotspot','pppoe','static_ip','dhcp') NOT NULL DEFAULT 'pppoe',
  download_speed  INT NOT NULL DEFAULT 0,
  upload_speed    INT NOT NULL DEFAULT 0,
  speed_unit      ENUM('kbps','mbps','gbps') NOT NULL DEFAULT 'mbps',
  data_quota      INT NULL,
  quota_unit      ENUM('gb','tb','unlimited') NOT NULL DEFAULT 'unlimited',
  duration_value  INT NULL,
  duration_unit   ENUM('minutes','hours','days','weeks','months') NULL,
  billing_cycle   ENUM('monthly','quarterly','yearly') NULL,
  price           DECIMAL(12,2) NOT NULL DEFAULT 0,
  setup_fee       DECIMAL(12,2) NOT NULL DEFAULT 0,
  router_profile  VARCHAR(64) NULL,
  is_active       TINYINT(1) NOT NULL DEFAULT 1,
  is_featured     TINYINT(1) NOT NULL DEFAULT 0,
  is_popular      TINYINT(1) NOT NULL DEFAULT 0,
  features        TEXT NULL CHECK (features IS NULL OR JSON_VALID(features)),
  created_at      DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at      DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  deleted_at      DATETIME(6) NULL,
  UNIQUE KEY uq_plans_uuid (uuid),
  KEY ix_plans_tenant (tenant_id, is_active, connection_type),
  CONSTRAINT fk_plans_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS customers (
  id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uuid           CHAR(36) NOT NULL,
  tenant_id      BIGINT UNSIGNED NOT NULL,
  owner_id       BIGINT UNSIGNED NULL,
  account_number VARCHAR(32) NOT NULL,
  name           VARCHAR(200) NOT NULL,
  email          VARCHAR(254) NULL,
  phone          VARCHAR(20) NULL,
  mac_address    VARCHAR(17) NULL,
  address        VARCHAR(500) NULL,
  city           VARCHAR(100) NULL,
  state          VARCHAR(100) NULL,
  postal_code    VARCHAR(20) NULL,
  country        VARCHAR(100) NULL,
  company_name   VARCHAR(200) NULL,
  tax_id         VARCHAR(50) NULL,
  account_type   ENUM('residential','business','retail','corporate','hotspot') NOT NULL DEFAULT 'residential',
  status         ENUM('active','inactive','suspended','cancelled','expired') NOT NULL DEFAULT 'active',
  balance        DECIMAL(12,2) NOT NULL DEFAULT 0,
  notes          TEXT NULL,
  district_id    INT UNSIGNED NULL,
  thana_id       INT UNSIGNED NULL,
  created_at     DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at     DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  deleted_at     DATETIME(6) NULL,
  UNIQUE KEY uq_customers_uuid (uuid),
  UNIQUE KEY uq_customers_account (tenant_id, account_number),
  KEY ix_customers_phone (tenant_id, phone),
  KEY ix_customers_status (tenant_id, status),
  KEY ix_customers_name (tenant_id, name),
  KEY ix_customers_mac (tenant_id, mac_address),
  KEY ix_customers_owner (tenant_id, owner_id),
  CONSTRAINT fk_customers_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS subscriptions (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uuid            CHAR(36) NOT NULL,
  tenant_id       BIGINT UNSIGNED NOT NULL,
  customer_id     BIGINT UNSIGNED NOT NULL,
  plan_id         BIGINT UNSIGNED NOT NULL,
  router_id       BIGINT UNSIGNED NULL,
  username        VARCHAR(100) NOT NULL,
  password_enc    VARCHAR(512) NULL,
  access_method   ENUM('hotspot','pppoe','static_ip','dhcp') NOT NULL DEFAULT 'pppoe',
  static_ip       VARCHAR(45) NULL,
  mac_address     VARCHAR(17) NULL,
  status          ENUM('active','inactive','suspended','cancelled','pending','expired') NOT NULL DEFAULT 'pending',
  start_date      DATETIME(6) NULL,
  end_date        DATETIME(6) NULL,
  monthly_fee     DECIMAL(12,2) NOT NULL DEFAULT 0,
  setup_fee       DECIMAL(12,2) NOT NULL DEFAULT 0,
  data_used       BIGINT UNSIGNED NOT NULL DEFAULT 0,
  data_reset_date DATETIME(6) NULL,
  notes           TEXT NULL,
  provision_state ENUM('pending','provisioned','failed','removed') NOT NULL DEFAULT 'pending',
  created_at      DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at      DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_subscriptions_uuid (uuid),
  UNIQUE KEY uq_subscriptions_username (tenant_id, username),
  KEY ix_subscriptions_customer (tenant_id, customer_id),
  KEY ix_subscriptions_plan (tenant_id, plan_id, status),
  KEY ix_subscriptions_router (tenant_id, router_id, status),
  KEY ix_subscriptions_status_end (tenant_id, status, end_date),
  KEY ix_subscriptions_expiry (status, end_date),
  CONSTRAINT fk_subscriptions_customer FOREIGN KEY (customer_id) REFERENCES customers (id),
  CONSTRAINT fk_subscriptions_plan FOREIGN KEY (plan_id) REFERENCES plans (id),
  CONSTRAINT fk_subscriptions_router FOREIGN KEY (router_id) REFERENCES routers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The provisioning queue: each subscription change writes the router change
-- it implies; `ispbill sweep` runs them (the RouterOS work).
CREATE TABLE IF NOT EXISTS router_jobs (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tenant_id       BIGINT UNSIGNED NOT NULL,
  router_id       BIGINT UNSIGNED NULL,
  subscription_id BIGINT UNSIGNED NULL,
  action          ENUM('provision','update','suspend','resume','remove','kick') NOT NULL,
  payload         TEXT NULL CHECK (payload IS NULL OR JSON_VALID(payload)),
  status          ENUM('pending','running','done','failed') NOT NULL DEFAULT 'pending',
  attempts        INT NOT NULL DEFAULT 0,
  next_attempt_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  lease_owner     VARCHAR(100) NULL,
  lease_until     DATETIME(6) NULL,
  last_error      VARCHAR(500) NULL,
  created_at      DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at      DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  KEY ix_jobs_due (status, next_attempt_at),
  KEY ix_jobs_subscription (tenant_id, subscription_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Per tenant, per kind (INV, TKT, PAY), per month: the last number given.
-- Taken in the same transaction as the row that uses it, so numbers are
-- unique and have no gaps.
CREATE TABLE IF NOT EXISTS number_counters (
  tenant_id BIGINT UNSIGNED NOT NULL,
  kind      CHAR(3) NOT NULL,
  period    CHAR(6) NOT NULL,
  last      INT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, kind, period)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS invoices (
  id                   BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uuid                 CHAR(36) NOT NULL,
  tenant_id            BIGINT UNSIGNED NOT NULL,
  customer_id          BIGINT UNSIGNED NOT NULL,
  subscription_id      BIGINT UNSIGNED NULL,
  invoice_number       VARCHAR(20) NOT NULL,
  invoice_type         ENUM('monthly','setup','adjustment','other') NOT NULL DEFAULT 'monthly',
  billing_period_start DATE NULL,
  billing_period_end   DATE NULL,
  subtotal             DECIMAL(12,2) NOT NULL DEFAULT 0,
  tax_amount           DECIMAL(12,2) NOT NULL DEFAULT 0,
  discount_amount      DECIMAL(12,2) NOT NULL DEFAULT 0,
  total_amount         DECIMAL(12,2) NOT NULL DEFAULT 0,
  paid_amount          DECIMAL(12,2) NOT NULL DEFAULT 0,
  status               ENUM('draft','pending','paid','overdue','cancelled') NOT NULL DEFAULT 'pending',
  issue_date           DATE NOT NULL,
  due_date             DATE NOT NULL,
  paid_date            DATETIME(6) NULL,
  notes                TEXT NULL,
  created_at           DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at           DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_invoices_uuid (uuid),
  UNIQUE KEY uq_invoices_number (tenant_id, invoice_number),
  KEY ix_invoices_customer (tenant_id, customer_id),
  KEY ix_invoices_status (tenant_id, status, due_date),
  KEY ix_invoices_issue (tenant_id, issue_date),
  CONSTRAINT fk_invoices_customer FOREIGN KEY (customer_id) REFERENCES customers (id),
  CONSTRAINT fk_invoices_subscription FOREIGN KEY (subscription_id) REFERENCES subscriptions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS payments (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uuid            CHAR(36) NOT NULL,
  tenant_id       BIGINT UNSIGNED NOT NULL,
  customer_id     BIGINT UNSIGNED NOT NULL,
  invoice_id      BIGINT UNSIGNED NULL,
  subscription_id BIGINT UNSIGNED NULL,
  plan_id         BIGINT UNSIGNED NULL,
  router_id       BIGINT UNSIGNED NULL,
  payment_number  VARCHAR(20) NOT NULL,
  amount          DECIMAL(12,2) NOT NULL,
  payment_method  ENUM('cash','bank_transfer','mobile_money','mpesa','bkash','nagad','rocket','sslcommerz','stripe','other') NOT NULL DEFAULT 'cash',
  status          ENUM('pending','completed','failed','cancelled','refunded') NOT NULL DEFAULT 'pending',
  payment_date    DATETIME(6) NULL,
  external_id     VARCHAR(100) NULL,
  transaction_id  VARCHAR(100) NULL,
  reference       VARCHAR(100) NULL,
  notes           TEXT NULL,
  created_at      DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at      DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_payments_uuid (uuid),
  UNIQUE KEY uq_payments_number (tenant_id, payment_number),
  KEY ix_payments_status_date (tenant_id, status, payment_date),
  KEY ix_payments_customer (tenant_id, customer_id, status),
  KEY ix_payments_invoice (invoice_id),
  KEY ix_payments_method (tenant_id, payment_method, status),
  KEY ix_payments_plan (tenant_id, plan_id, status, payment_date),
  KEY ix_payments_router (tenant_id, router_id, status, payment_date),
  CONSTRAINT fk_payments_customer FOREIGN KEY (customer_id) REFERENCES customers (id),
  CONSTRAINT fk_payments_invoice FOREIGN KEY (invoice_id) REFERENCES invoices (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS tickets (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uuid          CHAR(36) NOT NULL,
  tenant_id     BIGINT UNSIGNED NOT NULL,
  ticket_number VARCHAR(20) NOT NULL,
  customer_id   BIGINT UNSIGNED NULL,
  subject       VARCHAR(200) NOT NULL,
  description   TEXT NULL,
  priority      ENUM('low','medium','high','urgent') NOT NULL DEFAULT 'medium',
  category      VARCHAR(50) NOT NULL DEFAULT 'general',
  status        ENUM('open','in_progress','resolved','closed') NOT NULL DEFAULT 'open',
  assigned_to   BIGINT UNSIGNED NULL,
  created_by    BIGINT UNSIGNED NULL,
  resolved_at   DATETIME(6) NULL,
  created_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_tickets_uuid (uuid),
  UNIQUE KEY uq_tickets_number (tenant_id, ticket_number),
  KEY ix_tickets_status (tenant_id, status, priority),
  KEY ix_tickets_customer (tenant_id, customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS ticket_replies (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tenant_id   BIGINT UNSIGNED NOT NULL,
  ticket_id   BIGINT UNSIGNED NOT NULL,
  user_id     BIGINT UNSIGNED NULL,
  message     TEXT NOT NULL,
  is_internal TINYINT(1) NOT NULL DEFAULT 0,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  KEY ix_replies_ticket (tenant_id, ticket_id),
  CONSTRAINT fk_replies_ticket FOREIGN KEY (ticket_id) REFERENCES tickets (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS leads (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uuid        CHAR(36) NOT NULL,
  tenant_id   BIGINT UNSIGNED NOT NULL,
  name        VARCHAR(200) NOT NULL,
  email       VARCHAR(254) NULL,
  phone       VARCHAR(20) NULL,
  company     VARCHAR(200) NULL,
  address     VARCHAR(500) NULL,
  source      VARCHAR(50) NOT NULL DEFAULT 'other',
  status      ENUM('new','contacted','qualified','converted','lost') NOT NULL DEFAULT 'new',
  notes       TEXT NULL,
  assigned_to BIGINT UNSIGNED NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_leads_uuid (uuid),
  KEY ix_leads_status (tenant_id, status, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- permissions for all of it, and who holds them by default
INSERT IGNORE INTO permission_categories (uuid, tenant_id, name, code, description) VALUES
  (UUID(), NULL, 'Customers', 'customers', 'Customers and their subscriptions'),
  (UUID(), NULL, 'Network', 'network', 'Routers and plans'),
  (UUID(), NULL, 'Billing', 'billing', 'Invoices and payments'),
  (UUID(), NULL, 'Support', 'support', 'Tickets and leads');

INSERT IGNORE INTO permissions (uuid, tenant_id, category_id, codename, name)
SELECT UUID(), NULL, c.id, p.codename, p.name
FROM (
  SELECT 'customers' AS cat, 'customers.view' AS codename, 'Can view customers' AS name UNION ALL
  SELECT 'customers', 'customers.add', 'Can add customers' UNION ALL
  SELECT 'customers', 'customers.change', 'Can change customers' UNION ALL
  SELECT 'customers', 'customers.delete', 'Can delete customers' UNION ALL
  SELECT 'customers', 'subscriptions.view', 'Can view subscriptions' UNION ALL
  SELECT 'customers', 'subscriptions.add', 'Can add subscriptions' UNION ALL
  SELECT 'customers', 'subscriptions.change', 'Can change subscriptions and their state' UNION ALL
  SELECT 'customers', 'subscriptions.delete', 'Can delete subscriptions' UNION ALL
  SELECT 'network', 'plans.view', 'Can view plans' UNION ALL
  SELECT 'network', 'plans.add', 'Can add plans' UNION ALL
  SELECT 'network', 'plans.change', 'Can change plans' UNION ALL
  SELECT 'network', 'plans.delete', 'Can delete plans' UNION ALL
  SELECT 'network', 'routers.view', 'Can view routers' UNION ALL
  SELECT 'network', 'routers.add', 'Can add routers' UNION ALL
  SELECT 'network', 'routers.change', 'Can change routers' UNION ALL
  SELECT 'network', 'routers.delete', 'Can delete routers' UNION ALL
  SELECT 'billing', 'invoices.view', 'Can view invoices' UNION ALL
  SELECT 'billing', 'invoices.add', 'Can add invoices' UNION ALL
  SELECT 'billing', 'invoices.change', 'Can change invoices and their state' UNION ALL
  SELECT 'billing', 'invoices.delete', 'Can delete invoices' UNION ALL
  SELECT 'billing', 'payments.view', 'Can view payments' UNION ALL
  SELECT 'billing', 'payments.add', 'Can add payments' UNION ALL
  SELECT 'billing', 'payments.change', 'Can change payments and their state' UNION ALL
  SELECT 'billing', 'payments.delete', 'Can delete payments' UNION ALL
  SELECT 'support', 'tickets.view', 'Can view tickets' UNION ALL
  SELECT 'support', 'tickets.add', 'Can add tickets and replies' UNION ALL
  SELECT 'support', 'tickets.change', 'Can change tickets' UNION ALL
  SELECT 'support', 'tickets.delete', 'Can delete tickets' UNION ALL
  SELECT 'support', 'leads.view', 'Can view leads' UNION ALL
  SELECT 'support', 'leads.add', 'Can add leads' UNION ALL
  SELECT 'support', 'leads.change', 'Can change leads' UNION ALL
  SELECT 'support', 'leads.delete', 'Can delete leads' UNION ALL
  SELECT 'dashboard', 'stats.view', 'Can view billing statistics and reports'
) p JOIN permission_categories c ON c.code = p.cat AND c.tenant_id IS NULL;

INSERT IGNORE INTO role_permissions (role_id, permission_id)
SELECT r.id, p.id FROM roles r JOIN permissions p
WHERE r.tenant_id IS NULL AND p.tenant_id IS NULL AND (
     (r.name IN ('super_admin', 'admin') AND SUBSTRING_INDEX(p.codename, '.', 1) IN
        ('customers', 'subscriptions', 'plans', 'routers', 'invoices', 'payments', 'tickets',
         'leads', 'stats'))
  OR (r.name = 'billing_manager' AND (SUBSTRING_INDEX(p.codename, '.', 1) IN
        ('customers', 'subscriptions', 'invoices', 'payments') OR p.codename IN
        ('plans.view', 'routers.view', 'stats.view', 'tickets.view')))
  OR (r.name = 'noc_manager' AND (SUBSTRING_INDEX(p.codename, '.', 1) IN ('routers', 'plans')
        OR p.codename IN ('customers.view', 'subscriptions.view', 'subscriptions.change',
        'tickets.view', 'tickets.change', 'stats.view')))
  OR (r.name = 'accountant' AND (SUBSTRING_INDEX(p.codename, '.', 1) IN ('invoices', 'payments')
        OR p.codename IN ('customers.view', 'subscriptions.view', 'plans.view', 'stats.view')))
  OR (r.name = 'support_staff' AND (SUBSTRING_INDEX(p.codename, '.', 1) IN ('tickets', 'leads')
        OR p.codename IN ('customers.view', 'customers.change', 'subscriptions.view',
        'plans.view', 'invoices.view', 'payments.view')))
  OR (r.name = 'reseller_admin' AND (SUBSTRING_INDEX(p.codename, '.', 1) IN
        ('customers', 'subscriptions') OR p.codename IN ('plans.view', 'routers.view',
        'payments.view', 'payments.add', 'invoices.view', 'stats.view', 'tickets.view',
        'tickets.add')))
  OR (r.name = 'sub_reseller_admin' AND p.codename IN ('customers.view', 'customers.add',
        'customers.change', 'subscriptions.view', 'subscriptions.add', 'plans.view',
        'payments.view'))
  OR (r.name = 'field_staff' AND p.codename IN ('customers.view', 'subscriptions.view',
        'routers.view', 'tickets.view', 'tickets.change')));
