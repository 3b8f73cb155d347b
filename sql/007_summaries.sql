-- 007_summaries.sql - figures kept, not counted: what the statistics and
-- the customer list used to aggregate on every request (a million payments,
-- 1.4 s for /api/core/stats/all/) is kept up to date by triggers, in the
-- same transaction as the row that changes it, whatever writes that row
-- (the API, M-Pesa callbacks, the sweep, an operator's SQL).  A figure read
-- from here is therefore exactly the aggregation it replaces, at any moment
-- a transaction can see; `ispbill stats check` proves it against the raw
-- rows and `ispbill stats rebuild` recomputes a tenant from them.
--
-- Tenant-wide figures only: a reseller's statistics still aggregate its own
-- customers' rows, which is proportional to the reseller.
--
-- Bulk loaders (`ispbill demo`) set @ispbill_no_summaries in their session,
-- which silences these triggers (not the live_counts ones of 006), and
-- call isp_rebuild_summaries(tenant) at the end.

-- ---- per customer: its subscriptions and completed payments ----
-- Beside the customer, not in its row: a trigger may not update a table the
-- statement that fired it reads, and INSERT INTO payments ... SELECT ...
-- FROM customers is an ordinary statement.  No row: all zero.
CREATE TABLE IF NOT EXISTS customer_stats (
  customer_id       BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  tenant_id         BIGINT UNSIGNED NOT NULL,
  subs_count        INT NOT NULL DEFAULT 0,
  active_subs_count INT NOT NULL DEFAULT 0,
  monthly_bill      DECIMAL(14,2) NOT NULL DEFAULT 0,
  cur_plan_id       BIGINT UNSIGNED NULL,
  cur_router_id     BIGINT UNSIGNED NULL,
  cur_expiry        DATETIME(6) NULL,
  paid_count        BIGINT NOT NULL DEFAULT 0,
  paid_total        DECIMAL(16,2) NOT NULL DEFAULT 0,
  KEY ix_customer_stats_paid (tenant_id, paid_total DESC, customer_id)
) ENGINE=InnoDB;

-- data used by the subscriptions on a router
ALTER TABLE routers ADD COLUMN IF NOT EXISTS data_used_total BIGINT NOT NULL DEFAULT 0;

-- ---- per tenant ----
-- live customers per status
CREATE TABLE IF NOT EXISTS stat_customers (
  tenant_id BIGINT UNSIGNED NOT NULL,
  status    VARCHAR(20) NOT NULL,
  n         BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, status)
) ENGINE=InnoDB;
-- named counters: 'customers_with_active_subscriptions'
CREATE TABLE IF NOT EXISTS stat_counts (
  tenant_id BIGINT UNSIGNED NOT NULL,
  name      VARCHAR(40) NOT NULL,
  n         BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, name)
) ENGINE=InnoDB;
-- rows created per day: live customers, subscriptions
CREATE TABLE IF NOT EXISTS stat_created (
  tenant_id BIGINT UNSIGNED NOT NULL,
  entity    VARCHAR(20) NOT NULL,
  day       DATE NOT NULL,
  n         BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, entity, day)
) ENGINE=InnoDB;
-- subscriptions per status and plan
CREATE TABLE IF NOT EXISTS stat_subs (
  tenant_id BIGINT UNSIGNED NOT NULL,
  status    VARCHAR(20) NOT NULL,
  plan_id   BIGINT UNSIGNED NOT NULL,
  n         BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, status, plan_id)
) ENGINE=InnoDB;
-- payments per status, method and plan (plan_id 0: none)
CREATE TABLE IF NOT EXISTS stat_pay_mix (
  tenant_id      BIGINT UNSIGNED NOT NULL,
  status         VARCHAR(20) NOT NULL,
  payment_method VARCHAR(20) NOT NULL,
  plan_id        BIGINT UNSIGNED NOT NULL,
  n              BIGINT NOT NULL DEFAULT 0,
  amount         DECIMAL(18,2) NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, status, payment_method, plan_id)
) ENGINE=InnoDB;
-- dated payments per day (of payment_date) and status
CREATE TABLE IF NOT EXISTS stat_pay_day (
  tenant_id BIGINT UNSIGNED NOT NULL,
  day       DATE NOT NULL,
  status    VARCHAR(20) NOT NULL,
  n         BIGINT NOT NULL DEFAULT 0,
  amount    DECIMAL(18,2) NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day, status)
) ENGINE=InnoDB;
-- dated completed payments of a plan per day
CREATE TABLE IF NOT EXISTS stat_pay_plan_day (
  tenant_id BIGINT UNSIGNED NOT NULL,
  day       DATE NOT NULL,
  plan_id   BIGINT UNSIGNED NOT NULL,
  n         BIGINT NOT NULL DEFAULT 0,
  amount    DECIMAL(18,2) NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day, plan_id)
) ENGINE=InnoDB;
-- invoices per status
CREATE TABLE IF NOT EXISTS stat_inv (
  tenant_id BIGINT UNSIGNED NOT NULL,
  status    VARCHAR(20) NOT NULL,
  n         BIGINT NOT NULL DEFAULT 0,
  total     DECIMAL(18,2) NOT NULL DEFAULT 0,
  paid      DECIMAL(18,2) NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, status)
) ENGINE=InnoDB;
-- invoices per issue day and status
CREATE TABLE IF NOT EXISTS stat_inv_day (
  tenant_id BIGINT UNSIGNED NOT NULL,
  day       DATE NOT NULL,
  status    VARCHAR(20) NOT NULL,
  n         BIGINT NOT NULL DEFAULT 0,
  total     DECIMAL(18,2) NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day, status)
) ENGINE=InnoDB;

-- ---- versions of what a list shows ----
-- A number that changes in the transaction of every write a list of the
-- entity could show (customers: a customer or its customer_stats row;
-- stats: any row a statistic counts: customers, subscriptions, payments,
-- invoices, plans, routers, tickets, leads).
-- Read with the caller's credentials, it lets a worker answer a page it
-- answered before without asking again (src/db/qcache.c); the first value
-- is random, so a version never comes back after its row is removed.
CREATE TABLE IF NOT EXISTS data_versions (
  tenant_id BIGINT UNSIGNED NOT NULL,
  entity    VARCHAR(20) NOT NULL,
  v         BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (tenant_id, entity)
) ENGINE=InnoDB;

CREATE OR REPLACE PROCEDURE isp_bump(IN t BIGINT UNSIGNED, IN e VARCHAR(20))
  INSERT INTO data_versions (tenant_id, entity, v) VALUES (t, e, UUID_SHORT() % 1000000000000)
    ON DUPLICATE KEY UPDATE v = v + 1;

-- ---- what one row adds to the figures (sign -1: takes away) ----

-- A customer's subscription figures, recomputed from its few rows; the
-- current subscription is the active one, else the one that ends last.
CREATE OR REPLACE PROCEDURE isp_customer_subs(IN t BIGINT UNSIGNED, IN cid BIGINT UNSIGNED)
  INSERT INTO customer_stats (customer_id, tenant_id, subs_count, active_subs_count,
      monthly_bill, cur_plan_id, cur_router_id, cur_expiry)
    SELECT cid, t, COUNT(*), COUNT(CASE WHEN s.status = 'active' THEN 1 END),
      COALESCE(SUM(CASE WHEN s.status = 'active' THEN s.monthly_fee END), 0),
      (SELECT c.plan_id FROM subscriptions c WHERE c.customer_id = cid
        ORDER BY c.status = 'active' DESC, c.end_date DESC, c.id DESC LIMIT 1),
      (SELECT c.router_id FROM subscriptions c WHERE c.customer_id = cid
        ORDER BY c.status = 'active' DESC, c.end_date DESC, c.id DESC LIMIT 1),
      (SELECT c.end_date FROM subscriptions c WHERE c.customer_id = cid
        ORDER BY c.status = 'active' DESC, c.end_date DESC, c.id DESC LIMIT 1)
    FROM subscriptions s WHERE s.customer_id = cid
  ON DUPLICATE KEY UPDATE subs_count = VALUES(subs_count),
    active_subs_count = VALUES(active_subs_count), monthly_bill = VALUES(monthly_bill),
    cur_plan_id = VALUES(cur_plan_id), cur_router_id = VALUES(cur_router_id),
    cur_expiry = VALUES(cur_expiry);

CREATE OR REPLACE PROCEDURE isp_stat_sub(IN t BIGINT UNSIGNED, IN st VARCHAR(20),
    IN pl BIGINT UNSIGNED, IN rt BIGINT UNSIGNED, IN used BIGINT UNSIGNED,
    IN created DATETIME(6), IN sg INT)
BEGIN
  CALL isp_bump(t, 'stats');
  INSERT INTO stat_subs (tenant_id, status, plan_id, n) VALUES (t, st, pl, sg)
    ON DUPLICATE KEY UPDATE n = n + VALUES(n);
  INSERT INTO stat_created (tenant_id, entity, day, n) VALUES (t, 'subscriptions', DATE(created), sg)
    ON DUPLICATE KEY UPDATE n = n + VALUES(n);
  IF rt IS NOT NULL AND used <> 0 THEN
    UPDATE routers SET data_used_total = data_used_total + sg * CAST(used AS SIGNED),
      updated_at = updated_at WHERE id = rt;
  END IF;
END;

CREATE OR REPLACE PROCEDURE isp_stat_customer(IN t BIGINT UNSIGNED, IN st VARCHAR(20),
    IN live INT, IN created DATETIME(6), IN sg INT)
IF live THEN
  INSERT INTO stat_customers (tenant_id, status, n) VALUES (t, st, sg)
    ON DUPLICATE KEY UPDATE n = n + VALUES(n);
  INSERT INTO stat_created (tenant_id, entity, day, n) VALUES (t, 'customers', DATE(created), sg)
    ON DUPLICATE KEY UPDATE n = n + VALUES(n);
END IF;

CREATE OR REPLACE PROCEDURE isp_stat_active_customer(IN t BIGINT UNSIGNED, IN sg INT)
  INSERT INTO stat_counts (tenant_id, name, n)
    VALUES (t, 'customers_with_active_subscriptions', sg)
    ON DUPLICATE KEY UPDATE n = n + VALUES(n);

CREATE OR REPLACE PROCEDURE isp_stat_payment(IN t BIGINT UNSIGNED, IN cid BIGINT UNSIGNED,
    IN st VARCHAR(20), IN m VARCHAR(20), IN pl BIGINT UNSIGNED, IN d DATETIME(6),
    IN amt DECIMAL(12,2), IN sg INT)
BEGIN
  CALL isp_bump(t, 'stats');
  INSERT INTO stat_pay_mix (tenant_id, status, payment_method, plan_id, n, amount)
    VALUES (t, st, m, COALESCE(pl, 0), sg, sg * amt)
    ON DUPLICATE KEY UPDATE n = n + VALUES(n), amount = amount + VALUES(amount);
  IF d IS NOT NULL THEN
    INSERT INTO stat_pay_day (tenant_id, day, status, n, amount)
      VALUES (t, DATE(d), st, sg, sg * amt)
      ON DUPLICATE KEY UPDATE n = n + VALUES(n), amount = amount + VALUES(amount);
    IF st = 'completed' AND pl IS NOT NULL THEN
      INSERT INTO stat_pay_plan_day (tenant_id, day, plan_id, n, amount)
        VALUES (t, DATE(d), pl, sg, sg * amt)
        ON DUPLICATE KEY UPDATE n = n + VALUES(n), amount = amount + VALUES(amount);
    END IF;
  END IF;
  IF st = 'completed' THEN
    INSERT INTO customer_stats (customer_id, tenant_id, paid_count, paid_total)
      VALUES (cid, t, sg, sg * amt)
      ON DUPLICATE KEY UPDATE paid_count = paid_count + VALUES(paid_count),
        paid_total = paid_total + VALUES(paid_total);
  END IF;
END;

-- (parameter names must differ from column names: inside a procedure a
-- parameter wins)
CREATE OR REPLACE PROCEDURE isp_stat_invoice(IN t BIGINT UNSIGNED, IN st VARCHAR(20),
    IN d DATE, IN amt DECIMAL(12,2), IN got DECIMAL(12,2), IN sg INT)
BEGIN
  CALL isp_bump(t, 'stats');
  INSERT INTO stat_inv (tenant_id, status, n, total, paid) VALUES (t, st, sg, sg * amt, sg * got)
    ON DUPLICATE KEY UPDATE n = n + VALUES(n), total = total + VALUES(total),
      paid = paid + VALUES(paid);
  INSERT INTO stat_inv_day (tenant_id, day, status, n, total) VALUES (t, d, st, sg, sg * amt)
    ON DUPLICATE KEY UPDATE n = n + VALUES(n), total = total + VALUES(total);
END;

-- ---- the triggers ----

CREATE TRIGGER IF NOT EXISTS trg_customers_stat_ins AFTER INSERT ON customers FOR EACH ROW
  IF @ispbill_no_summaries IS NULL THEN
    CALL isp_stat_customer(NEW.tenant_id, NEW.status, NEW.deleted_at IS NULL, NEW.created_at, 1);
    CALL isp_bump(NEW.tenant_id, 'customers');
    CALL isp_bump(NEW.tenant_id, 'stats');
  END IF;
CREATE TRIGGER IF NOT EXISTS trg_customers_stat_upd AFTER UPDATE ON customers FOR EACH ROW
  IF @ispbill_no_summaries IS NULL THEN
    IF NOT (OLD.status <=> NEW.status)
        OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL)
        OR NOT (OLD.created_at <=> NEW.created_at) THEN
      CALL isp_stat_customer(OLD.tenant_id, OLD.status, OLD.deleted_at IS NULL, OLD.created_at, -1);
      CALL isp_stat_customer(NEW.tenant_id, NEW.status, NEW.deleted_at IS NULL, NEW.created_at, 1);
    END IF;
    CALL isp_bump(NEW.tenant_id, 'customers');
    CALL isp_bump(NEW.tenant_id, 'stats');
  END IF;
CREATE TRIGGER IF NOT EXISTS trg_customers_stat_del AFTER DELETE ON customers FOR EACH ROW
  IF @ispbill_no_summaries IS NULL THEN
    CALL isp_stat_customer(OLD.tenant_id, OLD.status, OLD.deleted_at IS NULL, OLD.created_at, -1);
    DELETE FROM customer_stats WHERE customer_id = OLD.id;
    CALL isp_bump(OLD.tenant_id, 'customers');
    CALL isp_bump(OLD.tenant_id, 'stats');
  END IF;

-- customers with an active subscription, whether live or not (as counted
-- from the subscriptions)
CREATE TRIGGER IF NOT EXISTS trg_customer_stats_ins AFTER INSERT ON customer_stats FOR EACH ROW
  IF @ispbill_no_summaries IS NULL THEN
    IF NEW.active_subs_count > 0 THEN
      CALL isp_stat_active_customer(NEW.tenant_id, 1);
    END IF;
    CALL isp_bump(NEW.tenant_id, 'customers');
    CALL isp_bump(NEW.tenant_id, 'stats');
  END IF;
CREATE TRIGGER IF NOT EXISTS trg_customer_stats_upd AFTER UPDATE ON customer_stats FOR EACH ROW
  IF @ispbill_no_summaries IS NULL THEN
    IF (OLD.active_subs_count > 0) <> (NEW.active_subs_count > 0) THEN
      CALL isp_stat_active_customer(NEW.tenant_id, IF(NEW.active_subs_count > 0, 1, -1));
    END IF;
    CALL isp_bump(NEW.tenant_id, 'customers');
    CALL isp_bump(NEW.tenant_id, 'stats');
  END IF;
CREATE TRIGGER IF NOT EXISTS trg_customer_stats_del AFTER DELETE ON customer_stats FOR EACH ROW
  IF @ispbill_no_summaries IS NULL THEN
    IF OLD.active_subs_count > 0 THEN
      CALL isp_stat_active_customer(OLD.tenant_id, -1);
    END IF;
    CALL isp_bump(OLD.tenant_id, 'customers');
    CALL isp_bump(OLD.tenant_id, 'stats');
  END IF;

CREATE TRIGGER IF NOT EXISTS trg_subscriptions_stat_ins AFTER INSERT ON subscriptions FOR EACH ROW
  IF @ispbill_no_summaries IS NULL THEN
    CALL isp_stat_sub(NEW.tenant_id, NEW.status, NEW.plan_id, NEW.router_id, NEW.data_used, NEW.created_at, 1);
    CALL isp_customer_subs(NEW.tenant_id, NEW.customer_id);
  END IF;
CREATE TRIGGER IF NOT EXISTS trg_subscriptions_stat_upd AFTER UPDATE ON subscriptions FOR EACH ROW
  IF @ispbill_no_summaries IS NULL THEN
    IF NOT (OLD.status <=> NEW.status AND OLD.plan_id <=> NEW.plan_id
        AND OLD.router_id <=> NEW.router_id AND OLD.data_used <=> NEW.data_used
        AND OLD.created_at <=> NEW.created_at) THEN
      CALL isp_stat_sub(OLD.tenant_id, OLD.status, OLD.plan_id, OLD.router_id, OLD.data_used, OLD.created_at, -1);
      CALL isp_stat_sub(NEW.tenant_id, NEW.status, NEW.plan_id, NEW.router_id, NEW.data_used, NEW.created_at, 1);
    END IF;
    IF NOT (OLD.customer_id <=> NEW.customer_id AND OLD.status <=> NEW.status
        AND OLD.plan_id <=> NEW.plan_id AND OLD.router_id <=> NEW.router_id
        AND OLD.end_date <=> NEW.end_date AND OLD.monthly_fee <=> NEW.monthly_fee) THEN
      CALL isp_customer_subs(NEW.tenant_id, NEW.customer_id);
      IF OLD.customer_id <> NEW.customer_id THEN
        CALL isp_customer_subs(OLD.tenant_id, OLD.customer_id);
      END IF;
    END IF;
  END IF;
CREATE TRIGGER IF NOT EXISTS trg_subscriptions_stat_del AFTER DELETE ON subscriptions FOR EACH ROW
  IF @ispbill_no_summaries IS NULL THEN
    CALL isp_stat_sub(OLD.tenant_id, OLD.status, OLD.plan_id, OLD.router_id, OLD.data_used, OLD.created_at, -1);
    CALL isp_customer_subs(OLD.tenant_id, OLD.customer_id);
  END IF;

CREATE TRIGGER IF NOT EXISTS trg_payments_stat_ins AFTER INSERT ON payments FOR EACH ROW
  IF @ispbill_no_summaries IS NULL THEN
    CALL isp_stat_payment(NEW.tenant_id, NEW.customer_id, NEW.status, NEW.payment_method,
      NEW.plan_id, NEW.payment_date, NEW.amount, 1);
  END IF;
CREATE TRIGGER IF NOT EXISTS trg_payments_stat_upd AFTER UPDATE ON payments FOR EACH ROW
  IF @ispbill_no_summaries IS NULL AND NOT (OLD.customer_id <=> NEW.customer_id
      AND OLD.status <=> NEW.status AND OLD.payment_method <=> NEW.payment_method
      AND OLD.plan_id <=> NEW.plan_id AND OLD.payment_date <=> NEW.payment_date
      AND OLD.amount <=> NEW.amount) THEN
    CALL isp_stat_payment(OLD.tenant_id, OLD.customer_id, OLD.status, OLD.payment_method,
      OLD.plan_id, OLD.payment_date, OLD.amount, -1);
    CALL isp_stat_payment(NEW.tenant_id, NEW.customer_id, NEW.status, NEW.payment_method,
      NEW.plan_id, NEW.payment_date, NEW.amount, 1);
  END IF;
CREATE TRIGGER IF NOT EXISTS trg_payments_stat_del AFTER DELETE ON payments FOR EACH ROW
  IF @ispbill_no_summaries IS NULL THEN
    CALL isp_stat_payment(OLD.tenant_id, OLD.customer_id, OLD.status, OLD.payment_method,
      OLD.plan_id, OLD.payment_date, OLD.amount, -1);
  END IF;

CREATE TRIGGER IF NOT EXISTS trg_invoices_stat_ins AFTER INSERT ON invoices FOR EACH ROW
  IF @ispbill_no_summaries IS NULL THEN
    CALL isp_stat_invoice(NEW.tenant_id, NEW.status, NEW.issue_date, NEW.total_amount, NEW.paid_amount, 1);
  END IF;
CREATE TRIGGER IF NOT EXISTS trg_invoices_stat_upd AFTER UPDATE ON invoices FOR EACH ROW
  IF @ispbill_no_summaries IS NULL AND NOT (OLD.status <=> NEW.status
      AND OLD.issue_date <=> NEW.issue_date AND OLD.total_amount <=> NEW.total_amount
      AND OLD.paid_amount <=> NEW.paid_amount) THEN
    CALL isp_stat_invoice(OLD.tenant_id, OLD.status, OLD.issue_date, OLD.total_amount, OLD.paid_amount, -1);
    CALL isp_stat_invoice(NEW.tenant_id, NEW.status, NEW.issue_date, NEW.total_amount, NEW.paid_amount, 1);
  END IF;
CREATE TRIGGER IF NOT EXISTS trg_invoices_stat_del AFTER DELETE ON invoices FOR EACH ROW
  IF @ispbill_no_summaries IS NULL THEN
    CALL isp_stat_invoice(OLD.tenant_id, OLD.status, OLD.issue_date, OLD.total_amount, OLD.paid_amount, -1);
  END IF;

-- the tables the statistics count as they are
CREATE TRIGGER IF NOT EXISTS trg_plans_ver_ins AFTER INSERT ON plans FOR EACH ROW CALL isp_bump(NEW.tenant_id, 'stats');
CREATE TRIGGER IF NOT EXISTS trg_plans_ver_upd AFTER UPDATE ON plans FOR EACH ROW CALL isp_bump(NEW.tenant_id, 'stats');
CREATE TRIGGER IF NOT EXISTS trg_plans_ver_del AFTER DELETE ON plans FOR EACH ROW CALL isp_bump(OLD.tenant_id, 'stats');
CREATE TRIGGER IF NOT EXISTS trg_routers_ver_ins AFTER INSERT ON routers FOR EACH ROW CALL isp_bump(NEW.tenant_id, 'stats');
CREATE TRIGGER IF NOT EXISTS trg_routers_ver_upd AFTER UPDATE ON routers FOR EACH ROW CALL isp_bump(NEW.tenant_id, 'stats');
CREATE TRIGGER IF NOT EXISTS trg_routers_ver_del AFTER DELETE ON routers FOR EACH ROW CALL isp_bump(OLD.tenant_id, 'stats');
CREATE TRIGGER IF NOT EXISTS trg_tickets_ver_ins AFTER INSERT ON tickets FOR EACH ROW CALL isp_bump(NEW.tenant_id, 'stats');
CREATE TRIGGER IF NOT EXISTS trg_tickets_ver_upd AFTER UPDATE ON tickets FOR EACH ROW CALL isp_bump(NEW.tenant_id, 'stats');
CREATE TRIGGER IF NOT EXISTS trg_tickets_ver_del AFTER DELETE ON tickets FOR EACH ROW CALL isp_bump(OLD.tenant_id, 'stats');
CREATE TRIGGER IF NOT EXISTS trg_leads_ver_ins AFTER INSERT ON leads FOR EACH ROW CALL isp_bump(NEW.tenant_id, 'stats');
CREATE TRIGGER IF NOT EXISTS trg_leads_ver_upd AFTER UPDATE ON leads FOR EACH ROW CALL isp_bump(NEW.tenant_id, 'stats');
CREATE TRIGGER IF NOT EXISTS trg_leads_ver_del AFTER DELETE ON leads FOR EACH ROW CALL isp_bump(OLD.tenant_id, 'stats');

-- ---- a tenant's figures recomputed from its rows ----
-- For repairs and bulk loads; run it in a transaction while nothing else
-- writes the tenant's rows (`ispbill stats rebuild` does).
CREATE OR REPLACE PROCEDURE isp_rebuild_summaries(IN t BIGINT UNSIGNED)
BEGIN
  DECLARE saved INT DEFAULT @ispbill_no_summaries;
  SET @ispbill_no_summaries = 1;

  DELETE FROM customer_stats WHERE tenant_id = t;
  INSERT INTO customer_stats (customer_id, tenant_id, subs_count, active_subs_count,
      monthly_bill, cur_plan_id, cur_router_id, cur_expiry, paid_count, paid_total)
    SELECT c.id, t, COALESCE(s.n, 0), COALESCE(s.a, 0), COALESCE(s.m, 0), cur.plan_id,
      cur.router_id, cur.end_date, COALESCE(p.n, 0), COALESCE(p.total, 0)
    FROM customers c
    LEFT JOIN (SELECT customer_id, COUNT(*) AS n, SUM(status = 'active') AS a,
        SUM(CASE WHEN status = 'active' THEN monthly_fee ELSE 0 END) AS m
      FROM subscriptions WHERE tenant_id = t GROUP BY customer_id) s ON s.customer_id = c.id
    LEFT JOIN (SELECT customer_id, plan_id, router_id, end_date,
        ROW_NUMBER() OVER (PARTITION BY customer_id
          ORDER BY status = 'active' DESC, end_date DESC, id DESC) AS k
      FROM subscriptions WHERE tenant_id = t) cur ON cur.customer_id = c.id AND cur.k = 1
    LEFT JOIN (SELECT customer_id, COUNT(*) AS n, SUM(amount) AS total FROM payments
      WHERE tenant_id = t AND status = 'completed' GROUP BY customer_id) p ON p.customer_id = c.id
    WHERE c.tenant_id = t AND (s.n IS NOT NULL OR p.n IS NOT NULL);

  UPDATE routers r
    LEFT JOIN (SELECT router_id, SUM(data_used) AS u FROM subscriptions
      WHERE tenant_id = t AND router_id IS NOT NULL GROUP BY router_id) s ON s.router_id = r.id
    SET r.data_used_total = COALESCE(s.u, 0), r.updated_at = r.updated_at
    WHERE r.tenant_id = t;

  DELETE FROM stat_customers WHERE tenant_id = t;
  INSERT INTO stat_customers (tenant_id, status, n)
    SELECT t, status, COUNT(*) FROM customers WHERE tenant_id = t AND deleted_at IS NULL
    GROUP BY status;
  DELETE FROM stat_counts WHERE tenant_id = t;
  INSERT INTO stat_counts (tenant_id, name, n)
    SELECT t, 'customers_with_active_subscriptions', COUNT(*) FROM customer_stats
    WHERE tenant_id = t AND active_subs_count > 0;
  DELETE FROM stat_created WHERE tenant_id = t;
  INSERT INTO stat_created (tenant_id, entity, day, n)
    SELECT t, 'customers', DATE(created_at), COUNT(*) FROM customers
    WHERE tenant_id = t AND deleted_at IS NULL GROUP BY DATE(created_at);
  INSERT INTO stat_created (tenant_id, entity, day, n)
    SELECT t, 'subscriptions', DATE(created_at), COUNT(*) FROM subscriptions
    WHERE tenant_id = t GROUP BY DATE(created_at);
  DELETE FROM stat_subs WHERE tenant_id = t;
  INSERT INTO stat_subs (tenant_id, status, plan_id, n)
    SELECT t, status, plan_id, COUNT(*) FROM subscriptions WHERE tenant_id = t
    GROUP BY status, plan_id;
  DELETE FROM stat_pay_mix WHERE tenant_id = t;
  INSERT INTO stat_pay_mix (tenant_id, status, payment_method, plan_id, n, amount)
    SELECT t, status, payment_method, COALESCE(plan_id, 0), COUNT(*), SUM(amount) FROM payments
    WHERE tenant_id = t GROUP BY status, payment_method, COALESCE(plan_id, 0);
  DELETE FROM stat_pay_day WHERE tenant_id = t;
  INSERT INTO stat_pay_day (tenant_id, day, status, n, amount)
    SELECT t, DATE(payment_date), status, COUNT(*), SUM(amount) FROM payments
    WHERE tenant_id = t AND payment_date IS NOT NULL GROUP BY DATE(payment_date), status;
  DELETE FROM stat_pay_plan_day WHERE tenant_id = t;
  INSERT INTO stat_pay_plan_day (tenant_id, day, plan_id, n, amount)
    SELECT t, DATE(payment_date), plan_id, COUNT(*), SUM(amount) FROM payments
    WHERE tenant_id = t AND status = 'completed' AND payment_date IS NOT NULL
      AND plan_id IS NOT NULL GROUP BY DATE(payment_date), plan_id;
  DELETE FROM stat_inv WHERE tenant_id = t;
  INSERT INTO stat_inv (tenant_id, status, n, total, paid)
    SELECT t, status, COUNT(*), SUM(total_amount), SUM(paid_amount) FROM invoices
    WHERE tenant_id = t GROUP BY status;
  DELETE FROM stat_inv_day WHERE tenant_id = t;
  INSERT INTO stat_inv_day (tenant_id, day, status, n, total)
    SELECT t, issue_date, status, COUNT(*), SUM(total_amount) FROM invoices
    WHERE tenant_id = t GROUP BY issue_date, status;

  CALL isp_bump(t, 'customers');
  CALL isp_bump(t, 'stats');
  SET @ispbill_no_summaries = saved;
END;

-- the rows that existed before the triggers
BEGIN NOT ATOMIC
  DECLARE done INT DEFAULT 0;
  DECLARE t BIGINT UNSIGNED;
  DECLARE cur CURSOR FOR SELECT id FROM tenants;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1;
  OPEN cur;
  each_tenant: LOOP
    FETCH cur INTO t;
    IF done THEN LEAVE each_tenant; END IF;
    CALL isp_rebuild_summaries(t);
  END LOOP;
  CLOSE cur;
END;
