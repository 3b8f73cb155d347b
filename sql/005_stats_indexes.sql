-- 005_stats_indexes.sql - covering indexes for the billing statistics
-- (src/core/stats.c): every aggregation reads one index range and never
-- the rows.  Whole-tenant figures go through the (tenant_id, status, ...)
-- indexes; a reseller's through (tenant_id, customer_id, ...), reached from
-- its customers by ix_customers_owner.  stats.c names ix_stats_pay_date and
-- ix_stats_invoices in index hints: keep the names.

-- counts by status and new this month; live rows; per reseller by owner_id
CREATE INDEX IF NOT EXISTS ix_stats_customers
  ON customers (tenant_id, owner_id, deleted_at, status, created_at);

-- counts by status, new this month, customers with an active one, the most
-- popular plan (active ones grouped by plan)
CREATE INDEX IF NOT EXISTS ix_stats_subscriptions
  ON subscriptions (tenant_id, status, plan_id, customer_id, created_at);
CREATE INDEX IF NOT EXISTS ix_stats_sub_customer
  ON subscriptions (tenant_id, customer_id, status, plan_id, created_at);
-- data used on a router's subscriptions
CREATE INDEX IF NOT EXISTS ix_stats_sub_router
  ON subscriptions (tenant_id, router_id, data_used);

-- counts and sums by status; billed invoices by issue day
CREATE INDEX IF NOT EXISTS ix_stats_invoices
  ON invoices (tenant_id, status, issue_date, total_amount, paid_amount);
CREATE INDEX IF NOT EXISTS ix_stats_inv_customer
  ON invoices (tenant_id, customer_id, status, issue_date, total_amount, paid_amount);

-- one ordered pass for the payments group, the methods and the plans' revenue
CREATE INDEX IF NOT EXISTS ix_stats_pay_group
  ON payments (tenant_id, status, payment_method, plan_id, amount);
-- date ranges: trends, this month, the revenue report, plan performance
CREATE INDEX IF NOT EXISTS ix_stats_pay_date
  ON payments (tenant_id, status, payment_date, plan_id, amount);
-- top customers, and every payment figure of one reseller
CREATE INDEX IF NOT EXISTS ix_stats_pay_customer
  ON payments (tenant_id, customer_id, status, payment_date, payment_method, plan_id, amount);

-- 002's newest leads, of the tenant or assigned to one reseller
CREATE INDEX IF NOT EXISTS ix_stats_leads ON leads (tenant_id, created_at);
CREATE INDEX IF NOT EXISTS ix_stats_leads_assigned ON leads (tenant_id, assigned_to, created_at);
