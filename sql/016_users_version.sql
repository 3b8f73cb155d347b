-- 016_users_version.sql - a tenant's 'users' entry in data_versions moves
-- with every write to its users, their role assignments and its roles, so
-- that a page of users (and the roles it shows) may be answered from a
-- worker's memory while the caller's version of it is unchanged (sql/007).
-- Super admins (no tenant) bump nothing: no tenant's list shows them.
CREATE TRIGGER IF NOT EXISTS trg_users_ver_ins AFTER INSERT ON users FOR EACH ROW
  IF NEW.tenant_id IS NOT NULL THEN CALL isp_bump(NEW.tenant_id, 'users'); END IF;
CREATE TRIGGER IF NOT EXISTS trg_users_ver_upd AFTER UPDATE ON users FOR EACH ROW
BEGIN
  IF NEW.tenant_id IS NOT NULL THEN CALL isp_bump(NEW.tenant_id, 'users'); END IF;
  IF OLD.tenant_id IS NOT NULL AND OLD.tenant_id <> COALESCE(NEW.tenant_id, 0) THEN
    CALL isp_bump(OLD.tenant_id, 'users');
  END IF;
END;
CREATE TRIGGER IF NOT EXISTS trg_users_ver_del AFTER DELETE ON users FOR EACH ROW
  IF OLD.tenant_id IS NOT NULL THEN CALL isp_bump(OLD.tenant_id, 'users'); END IF;
CREATE TRIGGER IF NOT EXISTS trg_user_roles_ver_ins AFTER INSERT ON user_roles FOR EACH ROW
  CALL isp_bump(NEW.tenant_id, 'users');
CREATE TRIGGER IF NOT EXISTS trg_user_roles_ver_upd AFTER UPDATE ON user_roles FOR EACH ROW
  CALL isp_bump(NEW.tenant_id, 'users');
CREATE TRIGGER IF NOT EXISTS trg_user_roles_ver_del AFTER DELETE ON user_roles FOR EACH ROW
  CALL isp_bump(OLD.tenant_id, 'users');
CREATE TRIGGER IF NOT EXISTS trg_roles_ver_upd AFTER UPDATE ON roles FOR EACH ROW
  IF NEW.tenant_id IS NOT NULL THEN CALL isp_bump(NEW.tenant_id, 'users'); END IF;
CREATE TRIGGER IF NOT EXISTS trg_roles_ver_del AFTER DELETE ON roles FOR EACH ROW
  IF OLD.tenant_id IS NOT NULL THEN CALL isp_bump(OLD.tenant_id, 'users'); END IF;
