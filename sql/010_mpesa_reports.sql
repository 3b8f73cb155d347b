-- 010_mpesa_reports.sql - indexes for 000's M-Pesa reports and dashboard
-- (src/core/mpesa_report.c): a reseller's transactions by date, and the
-- completed payments grouped by router and by plan, each read from one
-- index range without the rows.

-- a reseller's list (newest first) and summary (grouped by status, router)
CREATE INDEX IF NOT EXISTS ix_mpesa_owner_date
  ON mpesa_transactions (tenant_id, owner_id, created_at, status, router_id, amount);
-- the whole tenant's summary over a period
CREATE INDEX IF NOT EXISTS ix_mpesa_report
  ON mpesa_transactions (tenant_id, created_at, status, router_id, amount);

-- the dashboard's revenue by router and by plan
CREATE INDEX IF NOT EXISTS ix_report_pay_router
  ON payments (tenant_id, status, router_id, amount);
CREATE INDEX IF NOT EXISTS ix_report_pay_plan
  ON payments (tenant_id, status, plan_id, amount);
