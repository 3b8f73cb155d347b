-- 001_foundation.sql - tenants and the users who log in to them.
-- Later migrations add to these tables; this one is what `ispbill
-- create-admin` and login need.

CREATE TABLE IF NOT EXISTS tenants (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uuid          CHAR(36) NOT NULL,
  name          VARCHAR(200) NOT NULL,
  code          VARCHAR(50) NOT NULL,
  is_active     TINYINT(1) NOT NULL DEFAULT 1,
  created_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  deleted_at    DATETIME(6) NULL,
  UNIQUE KEY uq_tenants_uuid (uuid),
  UNIQUE KEY uq_tenants_code (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS users (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uuid          CHAR(36) NOT NULL,
  tenant_id     BIGINT UNSIGNED NOT NULL,
  parent_id     BIGINT UNSIGNED NULL,
  username      VARCHAR(150) NOT NULL,
  login_id      VARCHAR(150) NULL,
  email         VARCHAR(254) NULL,
  first_name    VARCHAR(150) NOT NULL DEFAULT '',
  last_name     VARCHAR(150) NOT NULL DEFAULT '',
  phone         VARCHAR(32) NULL,
  user_type     ENUM('super_admin','admin','billing_manager','noc_manager','support_staff',
                     'accountant','reseller_admin','sub_reseller_admin','field_staff','user')
                NOT NULL DEFAULT 'user',
  password_hash VARCHAR(255) NOT NULL,
  is_active     TINYINT(1) NOT NULL DEFAULT 1,
  is_staff      TINYINT(1) NOT NULL DEFAULT 0,
  is_superuser  TINYINT(1) NOT NULL DEFAULT 0,
  last_login    DATETIME(6) NULL,
  created_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  deleted_at    DATETIME(6) NULL,
  UNIQUE KEY uq_users_uuid (uuid),
  UNIQUE KEY uq_users_username (username),
  UNIQUE KEY uq_users_login_id (login_id),
  UNIQUE KEY uq_users_email (email),
  KEY ix_users_tenant (tenant_id, user_type),
  KEY ix_users_parent (parent_id),
  CONSTRAINT fk_users_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id),
  CONSTRAINT fk_users_parent FOREIGN KEY (parent_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
