-- 002_identity.sql - who may do what, for which ISP: organisation fields on
-- tenants, the rest of the user profile, permissions, roles, groups,
-- assignments, API clients, tokens, throttles, locations, audit log.

ALTER TABLE tenants
  ADD COLUMN IF NOT EXISTS business_license VARCHAR(100) NULL,
  ADD COLUMN IF NOT EXISTS vat_registration VARCHAR(100) NULL,
  ADD COLUMN IF NOT EXISTS address VARCHAR(500) NULL,
  ADD COLUMN IF NOT EXISTS contact_email VARCHAR(254) NULL,
  ADD COLUMN IF NOT EXISTS contact_phone VARCHAR(32) NULL,
  ADD COLUMN IF NOT EXISTS website VARCHAR(200) NULL,
  ADD COLUMN IF NOT EXISTS organization_type VARCHAR(100) NULL,
  ADD COLUMN IF NOT EXISTS revenue_sharing_enabled TINYINT(1) NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS default_reseller_share DECIMAL(5,2) NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS default_sub_reseller_share DECIMAL(5,2) NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS default_ktl_share_with_sub DECIMAL(5,2) NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS default_reseller_share_with_sub DECIMAL(5,2) NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS billing_settings LONGTEXT NULL CHECK (billing_settings IS NULL OR JSON_VALID(billing_settings)),
  ADD COLUMN IF NOT EXISTS sync_settings LONGTEXT NULL CHECK (sync_settings IS NULL OR JSON_VALID(sync_settings)),
  ADD COLUMN IF NOT EXISTS max_routers INT NULL,
  ADD COLUMN IF NOT EXISTS max_users INT NULL,
  ADD COLUMN IF NOT EXISTS max_customers INT NULL,
  ADD COLUMN IF NOT EXISTS allow_registration TINYINT(1) NOT NULL DEFAULT 0;

-- Bangladesh locations (003), imported by `ispbill locations import DIR`.
CREATE TABLE IF NOT EXISTS divisions (
  id        INT UNSIGNED NOT NULL PRIMARY KEY,
  name      VARCHAR(100) NOT NULL,
  bn_name   VARCHAR(100) NOT NULL DEFAULT '',
  url       VARCHAR(200) NOT NULL DEFAULT '',
  KEY ix_divisions_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS districts (
  id          INT UNSIGNED NOT NULL PRIMARY KEY,
  division_id INT UNSIGNED NOT NULL,
  name        VARCHAR(100) NOT NULL,
  bn_name     VARCHAR(100) NOT NULL DEFAULT '',
  lat         DECIMAL(10,7) NULL,
  lon         DECIMAL(10,7) NULL,
  url         VARCHAR(200) NOT NULL DEFAULT '',
  KEY ix_districts_division (division_id),
  KEY ix_districts_name (name),
  CONSTRAINT fk_districts_division FOREIGN KEY (division_id) REFERENCES divisions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS thanas (
  id          INT UNSIGNED NOT NULL PRIMARY KEY,
  district_id INT UNSIGNED NOT NULL,
  name        VARCHAR(100) NOT NULL,
  bn_name     VARCHAR(100) NOT NULL DEFAULT '',
  url         VARCHAR(200) NOT NULL DEFAULT '',
  KEY ix_thanas_district (district_id, name),
  KEY ix_thanas_name (name),
  CONSTRAINT fk_thanas_district FOREIGN KEY (district_id) REFERENCES districts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE users
  ADD COLUMN IF NOT EXISTS employee_id VARCHAR(50) NULL,
  ADD COLUMN IF NOT EXISTS designation VARCHAR(100) NULL,
  ADD COLUMN IF NOT EXISTS department VARCHAR(100) NULL,
  ADD COLUMN IF NOT EXISTS district_id INT UNSIGNED NULL,
  ADD COLUMN IF NOT EXISTS thana_id INT UNSIGNED NULL,
  ADD COLUMN IF NOT EXISTS is_email_verified TINYINT(1) NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS is_phone_verified TINYINT(1) NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS is_first_login TINYINT(1) NOT NULL DEFAULT 1,
  ADD COLUMN IF NOT EXISTS language VARCHAR(10) NOT NULL DEFAULT 'en',
  ADD COLUMN IF NOT EXISTS timezone VARCHAR(64) NOT NULL DEFAULT 'UTC',
  ADD COLUMN IF NOT EXISTS password_changed_at DATETIME(6) NULL;

CREATE TABLE IF NOT EXISTS permission_categories (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uuid        CHAR(36) NOT NULL,
  tenant_id   BIGINT UNSIGNED NULL,          -- NULL: shipped with ispbill
  name        VARCHAR(100) NOT NULL,
  code        VARCHAR(50) NOT NULL,
  description VARCHAR(500) NOT NULL DEFAULT '',
  tenant_key  BIGINT UNSIGNED AS (COALESCE(tenant_id, 0)) PERSISTENT,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_permcat_uuid (uuid),
  UNIQUE KEY uq_permcat_code (tenant_key, code),
  CONSTRAINT fk_permcat_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS permissions (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uuid        CHAR(36) NOT NULL,
  tenant_id   BIGINT UNSIGNED NULL,          -- NULL: shipped; else a tenant's custom permission
  category_id BIGINT UNSIGNED NULL,
  codename    VARCHAR(100) NOT NULL,
  name        VARCHAR(200) NOT NULL,
  description VARCHAR(500) NOT NULL DEFAULT '',
  is_custom   TINYINT(1) NOT NULL DEFAULT 0,
  tenant_key  BIGINT UNSIGNED AS (COALESCE(tenant_id, 0)) PERSISTENT,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_perm_uuid (uuid),
  UNIQUE KEY uq_perm_code (tenant_key, codename),
  KEY ix_perm_codename (codename),
  CONSTRAINT fk_perm_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id),
  CONSTRAINT fk_perm_category FOREIGN KEY (category_id) REFERENCES permission_categories (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS roles (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uuid             CHAR(36) NOT NULL,
  tenant_id        BIGINT UNSIGNED NULL,     -- NULL: a default role shipped with ispbill
  name             VARCHAR(100) NOT NULL,
  display_name     VARCHAR(150) NOT NULL DEFAULT '',
  description      VARCHAR(500) NOT NULL DEFAULT '',
  role_level       INT NOT NULL DEFAULT 5,
  can_assign_roles TINYINT(1) NOT NULL DEFAULT 0,
  max_assignments  INT NULL,
  is_active        TINYINT(1) NOT NULL DEFAULT 1,
  is_system        TINYINT(1) NOT NULL DEFAULT 0,
  tenant_key       BIGINT UNSIGNED AS (COALESCE(tenant_id, 0)) PERSISTENT,
  created_at       DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at       DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_roles_uuid (uuid),
  UNIQUE KEY uq_roles_name (tenant_key, name),
  CONSTRAINT fk_roles_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS role_permissions (
  role_id       BIGINT UNSIGNED NOT NULL,
  permission_id BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (role_id, permission_id),
  KEY ix_roleperm_perm (permission_id),
  CONSTRAINT fk_roleperm_role FOREIGN KEY (role_id) REFERENCES roles (id) ON DELETE CASCADE,
  CONSTRAINT fk_roleperm_perm FOREIGN KEY (permission_id) REFERENCES permissions (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS user_roles (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uuid        CHAR(36) NOT NULL,
  tenant_id   BIGINT UNSIGNED NOT NULL,
  user_id     BIGINT UNSIGNED NOT NULL,
  role_id     BIGINT UNSIGNED NOT NULL,
  assigned_by BIGINT UNSIGNED NULL,
  reason      VARCHAR(500) NOT NULL DEFAULT '',
  expires_at  DATETIME(6) NULL,
  is_active   TINYINT(1) NOT NULL DEFAULT 1,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_userroles_uuid (uuid),
  UNIQUE KEY uq_userroles_pair (user_id, role_id),
  KEY ix_userroles_tenant (tenant_id, role_id),
  CONSTRAINT fk_userroles_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT fk_userroles_role FOREIGN KEY (role_id) REFERENCES roles (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS auth_groups (
  id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uuid       CHAR(36) NOT NULL,
  tenant_id  BIGINT UNSIGNED NOT NULL,
  name       VARCHAR(150) NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_groups_uuid (uuid),
  UNIQUE KEY uq_groups_name (tenant_id, name),
  CONSTRAINT fk_groups_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS group_permissions (
  group_id      BIGINT UNSIGNED NOT NULL,
  permission_id BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (group_id, permission_id),
  CONSTRAINT fk_groupperm_group FOREIGN KEY (group_id) REFERENCES auth_groups (id) ON DELETE CASCADE,
  CONSTRAINT fk_groupperm_perm FOREIGN KEY (permission_id) REFERENCES permissions (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS user_groups (
  user_id  BIGINT UNSIGNED NOT NULL,
  group_id BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (user_id, group_id),
  KEY ix_usergroups_group (group_id),
  CONSTRAINT fk_usergroups_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT fk_usergroups_group FOREIGN KEY (group_id) REFERENCES auth_groups (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- API consumers (004): the key is shown once; kept as a BLAKE2b hash with a
-- short prefix for lookup.
CREATE TABLE IF NOT EXISTS api_clients (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uuid         CHAR(36) NOT NULL,
  tenant_id    BIGINT UNSIGNED NOT NULL,
  name         VARCHAR(150) NOT NULL,
  key_prefix   CHAR(12) NOT NULL,
  key_hash     CHAR(64) NOT NULL,
  scopes       VARCHAR(2000) NOT NULL DEFAULT '[]' CHECK (JSON_VALID(scopes)),
  is_active    TINYINT(1) NOT NULL DEFAULT 1,
  last_used_at DATETIME(6) NULL,
  created_by   BIGINT UNSIGNED NULL,
  created_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  deleted_at   DATETIME(6) NULL,
  UNIQUE KEY uq_clients_uuid (uuid),
  UNIQUE KEY uq_clients_prefix (key_prefix),
  KEY ix_clients_tenant (tenant_id, name),
  CONSTRAINT fk_clients_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Refresh tokens: opaque, stored hashed, rotated on use; a family is every
-- token descended from one login.  Access tokens carry their family, so
-- revoking a family ends its access tokens too.
CREATE TABLE IF NOT EXISTS token_families (
  family      CHAR(32) NOT NULL PRIMARY KEY,
  user_id     BIGINT UNSIGNED NOT NULL,
  tenant_id   BIGINT UNSIGNED NOT NULL,
  remember_me TINYINT(1) NOT NULL DEFAULT 0,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  revoked_at  DATETIME(6) NULL,
  revoke_reason VARCHAR(50) NULL,
  KEY ix_families_user (user_id, revoked_at),
  CONSTRAINT fk_families_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS refresh_tokens (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  family      CHAR(32) NOT NULL,
  token_hash  CHAR(64) NOT NULL,
  expires_at  DATETIME(6) NOT NULL,
  used_at     DATETIME(6) NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uq_refresh_hash (token_hash),
  KEY ix_refresh_family (family),
  CONSTRAINT fk_refresh_family FOREIGN KEY (family) REFERENCES token_families (family) ON DELETE CASCADE
) ENGINE=InnoDB;

-- Access tokens revoked before they expire (logout).
CREATE TABLE IF NOT EXISTS revoked_tokens (
  jti        CHAR(32) NOT NULL PRIMARY KEY,
  user_id    BIGINT UNSIGNED NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  KEY ix_revoked_expiry (expires_at)
) ENGINE=InnoDB;

-- Failed logins, by login id and by client address (throttling).
CREATE TABLE IF NOT EXISTS login_attempts (
  id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  login      VARCHAR(254) NOT NULL,
  ip         VARCHAR(45) NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_attempts_login (login, created_at),
  KEY ix_attempts_ip (ip, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Fixed-window counters (requests per user per hour, password changes).
CREATE TABLE IF NOT EXISTS rate_counters (
  bucket       VARCHAR(100) NOT NULL,
  window_start DATETIME NOT NULL,
  hits         INT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (bucket, window_start),
  KEY ix_rate_window (window_start)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS audit_log (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tenant_id   BIGINT UNSIGNED NULL,
  actor_id    BIGINT UNSIGNED NULL,
  actor_name  VARCHAR(150) NULL,
  action      VARCHAR(40) NOT NULL,
  object_type VARCHAR(60) NOT NULL DEFAULT '',
  object_id   VARCHAR(64) NULL,
  ip          VARCHAR(45) NULL,
  request_id  VARCHAR(40) NULL,
  details     VARCHAR(2000) NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_audit_tenant (tenant_id, created_at),
  KEY ix_audit_actor (tenant_id, actor_id, created_at),
  KEY ix_audit_object (tenant_id, object_type, object_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE users
  ADD CONSTRAINT fk_users_district FOREIGN KEY IF NOT EXISTS (district_id) REFERENCES districts (id),
  ADD CONSTRAINT fk_users_thana FOREIGN KEY IF NOT EXISTS (thana_id) REFERENCES thanas (id);
