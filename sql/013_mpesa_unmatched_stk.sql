-- 013_mpesa_unmatched_stk: money from an STK callback that no push of ours
-- holds (its push timed out and no timed-out push of that phone and amount
-- is left to take it) is kept as a transaction of kind 'stk', like C2B money
-- with no account, for the operator to place.
ALTER TABLE mpesa_transactions
  MODIFY kind ENUM('plan','invoice','c2b','stk') NOT NULL;
