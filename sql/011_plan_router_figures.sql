-- 011_plan_router_figures.sql - a plan's subscriber counts and monthly
-- revenue from one index: tenant, plan, status, then what they count.
CREATE INDEX IF NOT EXISTS ix_subscriptions_plan_cover
  ON subscriptions (tenant_id, plan_id, status, customer_id, monthly_fee);
