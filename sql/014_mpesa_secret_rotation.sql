-- 014_mpesa_secret_rotation: a tenant's callback secret can be replaced
-- (POST /api/mpesa/settings/rotate-callback-secret/).  The previous one is
-- still accepted until previous_secret_until, so callbacks of pushes sent
-- before the change, and C2B payments until the URLs are registered again,
-- are not lost.
ALTER TABLE mpesa_settings
  ADD COLUMN IF NOT EXISTS previous_callback_secret CHAR(40) NULL AFTER callback_secret,
  ADD COLUMN IF NOT EXISTS previous_secret_until DATETIME(6) NULL AFTER previous_callback_secret,
  ADD KEY IF NOT EXISTS ix_mpesa_previous_callback (previous_callback_secret);
