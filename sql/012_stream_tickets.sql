-- 012_stream_tickets.sql - one-time tickets for ispbill-monitor's WebSocket
-- handshakes (?ticket=): a browser cannot set headers on a WebSocket and a
-- long-lived token must not travel in a URL.  Kept hashed (as refresh tokens), valid
-- 30 seconds, used once.  Old rows are deleted as new ones are made.
CREATE TABLE IF NOT EXISTS stream_tickets (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tenant_id   BIGINT UNSIGNED NOT NULL,
  user_id     BIGINT UNSIGNED NULL,
  client_id   BIGINT UNSIGNED NULL,
  ticket_hash CHAR(64) NOT NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  expires_at  DATETIME(6) NOT NULL,
  used_at     DATETIME(6) NULL,
  UNIQUE KEY uq_stream_tickets_hash (ticket_hash),
  KEY ix_stream_tickets_expires (expires_at),
  CONSTRAINT fk_stream_tickets_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id),
  CONSTRAINT fk_stream_tickets_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT fk_stream_tickets_client FOREIGN KEY (client_id) REFERENCES api_clients (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
