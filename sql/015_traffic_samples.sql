-- 015_traffic_samples.sql - a router interface's rates as read live
-- (/interface/monitor-traffic), kept for the bandwidth history the bitwave
-- panel draws.  ispbill keeps no other traffic history: a sample is taken
-- each time the history is asked for (core/traffic.c), and samples older
-- than 7 days are removed as new ones come.
CREATE TABLE IF NOT EXISTS router_traffic_samples (
  id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tenant_id  BIGINT UNSIGNED NOT NULL,
  router_id  BIGINT UNSIGNED NOT NULL,
  interface  VARCHAR(100) NOT NULL,
  taken_at   DATETIME(6) NOT NULL,           -- UTC
  rx_bps     BIGINT UNSIGNED NOT NULL DEFAULT 0,
  tx_bps     BIGINT UNSIGNED NOT NULL DEFAULT 0,
  KEY ix_traffic_router (router_id, interface, taken_at),
  CONSTRAINT fk_traffic_router FOREIGN KEY (router_id) REFERENCES routers (id) ON DELETE CASCADE,
  CONSTRAINT fk_traffic_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
