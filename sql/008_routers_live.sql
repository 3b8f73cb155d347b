-- 008_routers_live.sql - live router operations: PPPoE up/down events sent
-- by the routers' own scripts (authenticated by routers.callback_key), and
-- the index the job claimer reads.

CREATE TABLE IF NOT EXISTS pppoe_sessions (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tenant_id       BIGINT UNSIGNED NOT NULL,
  router_id       BIGINT UNSIGNED NOT NULL,
  subscription_id BIGINT UNSIGNED NULL,
  event           ENUM('up','down') NOT NULL,
  username        VARCHAR(100) NOT NULL,
  caller_id       VARCHAR(64) NULL,
  address         VARCHAR(45) NULL,
  interface       VARCHAR(100) NULL,
  created_at      DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_pppoe_router (tenant_id, router_id, created_at),
  KEY ix_pppoe_user (tenant_id, username, created_at),
  CONSTRAINT fk_pppoe_router FOREIGN KEY (router_id) REFERENCES routers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE INDEX IF NOT EXISTS ix_jobs_claim ON router_jobs (status, next_attempt_at, id);
CREATE INDEX IF NOT EXISTS ix_routers_callback ON routers (callback_key);
