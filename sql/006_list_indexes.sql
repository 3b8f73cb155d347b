-- 006_list_indexes.sql - lists of live rows, newest first: one index serves
-- both the page (ordered by id, the primary key implicit in every InnoDB
-- index) and the count of a tenant's live rows.
CREATE INDEX IF NOT EXISTS ix_customers_live ON customers (tenant_id, deleted_at);
CREATE INDEX IF NOT EXISTS ix_customers_status_live ON customers (tenant_id, status, deleted_at);
CREATE INDEX IF NOT EXISTS ix_plans_live ON plans (tenant_id, deleted_at);
CREATE INDEX IF NOT EXISTS ix_routers_live ON routers (tenant_id, deleted_at);
CREATE INDEX IF NOT EXISTS ix_users_live ON users (tenant_id, deleted_at);
CREATE INDEX IF NOT EXISTS ix_subscriptions_tenant ON subscriptions (tenant_id);
CREATE INDEX IF NOT EXISTS ix_invoices_tenant ON invoices (tenant_id);
CREATE INDEX IF NOT EXISTS ix_payments_tenant ON payments (tenant_id);
CREATE INDEX IF NOT EXISTS ix_tickets_tenant ON tickets (tenant_id);
CREATE INDEX IF NOT EXISTS ix_leads_tenant ON leads (tenant_id);

-- The number of a tenant's live rows, kept exact by triggers (whatever
-- writes the rows: the API, the demo loader, an operator's SQL), so that an
-- unfiltered list need not count 100,000 rows for its pagination block.
-- Spread over 16 rows per tenant and entity (by row id), so that concurrent
-- writers (M-Pesa callbacks) seldom wait for each other or, on Galera,
-- conflict; the count is their sum.
CREATE TABLE IF NOT EXISTS live_counts (
  tenant_id BIGINT UNSIGNED NOT NULL,
  entity    VARCHAR(40) NOT NULL,
  shard     TINYINT UNSIGNED NOT NULL,
  n         BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, entity, shard)
) ENGINE=InnoDB;

CREATE TRIGGER IF NOT EXISTS trg_customers_count_ins AFTER INSERT ON customers FOR EACH ROW
  INSERT INTO live_counts (tenant_id, entity, shard, n) VALUES (NEW.tenant_id, 'customers', NEW.id % 16, NEW.deleted_at IS NULL)
  ON DUPLICATE KEY UPDATE n = n + VALUES(n);
CREATE TRIGGER IF NOT EXISTS trg_customers_count_upd AFTER UPDATE ON customers FOR EACH ROW
  INSERT INTO live_counts (tenant_id, entity, shard, n)
  SELECT NEW.tenant_id, 'customers', NEW.id % 16, (NEW.deleted_at IS NULL) - (OLD.deleted_at IS NULL)
  FROM DUAL WHERE (NEW.deleted_at IS NULL) <> (OLD.deleted_at IS NULL)
  ON DUPLICATE KEY UPDATE n = n + VALUES(n);
CREATE TRIGGER IF NOT EXISTS trg_customers_count_del AFTER DELETE ON customers FOR EACH ROW
  INSERT INTO live_counts (tenant_id, entity, shard, n) VALUES (OLD.tenant_id, 'customers', OLD.id % 16, -(OLD.deleted_at IS NULL))
  ON DUPLICATE KEY UPDATE n = n + VALUES(n);

CREATE TRIGGER IF NOT EXISTS trg_payments_count_ins AFTER INSERT ON payments FOR EACH ROW
  INSERT INTO live_counts (tenant_id, entity, shard, n) VALUES (NEW.tenant_id, 'payments', NEW.id % 16, 1)
  ON DUPLICATE KEY UPDATE n = n + 1;
CREATE TRIGGER IF NOT EXISTS trg_payments_count_del AFTER DELETE ON payments FOR EACH ROW
  INSERT INTO live_counts (tenant_id, entity, shard, n) VALUES (OLD.tenant_id, 'payments', OLD.id % 16, -1)
  ON DUPLICATE KEY UPDATE n = n - 1;

CREATE TRIGGER IF NOT EXISTS trg_subscriptions_count_ins AFTER INSERT ON subscriptions FOR EACH ROW
  INSERT INTO live_counts (tenant_id, entity, shard, n) VALUES (NEW.tenant_id, 'subscriptions', NEW.id % 16, 1)
  ON DUPLICATE KEY UPDATE n = n + 1;
CREATE TRIGGER IF NOT EXISTS trg_subscriptions_count_del AFTER DELETE ON subscriptions FOR EACH ROW
  INSERT INTO live_counts (tenant_id, entity, shard, n) VALUES (OLD.tenant_id, 'subscriptions', OLD.id % 16, -1)
  ON DUPLICATE KEY UPDATE n = n - 1;

CREATE TRIGGER IF NOT EXISTS trg_invoices_count_ins AFTER INSERT ON invoices FOR EACH ROW
  INSERT INTO live_counts (tenant_id, entity, shard, n) VALUES (NEW.tenant_id, 'invoices', NEW.id % 16, 1)
  ON DUPLICATE KEY UPDATE n = n + 1;
CREATE TRIGGER IF NOT EXISTS trg_invoices_count_del AFTER DELETE ON invoices FOR EACH ROW
  INSERT INTO live_counts (tenant_id, entity, shard, n) VALUES (OLD.tenant_id, 'invoices', OLD.id % 16, -1)
  ON DUPLICATE KEY UPDATE n = n - 1;

-- rows that existed before the triggers
INSERT INTO live_counts (tenant_id, entity, shard, n)
  SELECT tenant_id, 'customers', id % 16, COUNT(*) FROM customers WHERE deleted_at IS NULL GROUP BY tenant_id, id % 16
  ON DUPLICATE KEY UPDATE n = VALUES(n);
INSERT INTO live_counts (tenant_id, entity, shard, n)
  SELECT tenant_id, 'payments', id % 16, COUNT(*) FROM payments GROUP BY tenant_id, id % 16
  ON DUPLICATE KEY UPDATE n = VALUES(n);
INSERT INTO live_counts (tenant_id, entity, shard, n)
  SELECT tenant_id, 'subscriptions', id % 16, COUNT(*) FROM subscriptions GROUP BY tenant_id, id % 16
  ON DUPLICATE KEY UPDATE n = VALUES(n);
INSERT INTO live_counts (tenant_id, entity, shard, n)
  SELECT tenant_id, 'invoices', id % 16, COUNT(*) FROM invoices GROUP BY tenant_id, id % 16
  ON DUPLICATE KEY UPDATE n = VALUES(n);
