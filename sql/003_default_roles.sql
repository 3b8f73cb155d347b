-- 003_default_roles.sql - the permissions ispbill ships and a default role
-- for each user type.  A user holds the permissions of the default role of
-- their user_type, of every active role assigned to them and of their
-- groups; a superuser holds all.

INSERT IGNORE INTO permission_categories (uuid, tenant_id, name, code, description) VALUES
  (UUID(), NULL, 'Users', 'users', 'Staff, reseller and API owner accounts'),
  (UUID(), NULL, 'Roles', 'roles', 'Roles and their assignment'),
  (UUID(), NULL, 'Permissions', 'permissions', 'Permissions, categories and groups'),
  (UUID(), NULL, 'Organizations', 'tenants', 'Tenants (ISPs) on this installation'),
  (UUID(), NULL, 'API clients', 'api_clients', 'Keys for programs that call the API'),
  (UUID(), NULL, 'Audit', 'audit', 'The audit log'),
  (UUID(), NULL, 'Locations', 'locations', 'Divisions, districts and thanas'),
  (UUID(), NULL, 'Dashboard', 'dashboard', 'Statistics');

INSERT IGNORE INTO permissions (uuid, tenant_id, category_id, codename, name)
SELECT UUID(), NULL, c.id, p.codename, p.name
FROM (
  SELECT 'users' AS cat, 'users.view_user' AS codename, 'Can view users' AS name UNION ALL
  SELECT 'users', 'users.add_user', 'Can add users' UNION ALL
  SELECT 'users', 'users.change_user', 'Can change users' UNION ALL
  SELECT 'users', 'users.delete_user', 'Can delete users' UNION ALL
  SELECT 'roles', 'roles.view_role', 'Can view roles' UNION ALL
  SELECT 'roles', 'roles.add_role', 'Can add roles' UNION ALL
  SELECT 'roles', 'roles.change_role', 'Can change roles' UNION ALL
  SELECT 'roles', 'roles.delete_role', 'Can delete roles' UNION ALL
  SELECT 'roles', 'roles.assign_role', 'Can assign roles to users' UNION ALL
  SELECT 'permissions', 'permissions.view_permission', 'Can view permissions' UNION ALL
  SELECT 'permissions', 'permissions.add_permission', 'Can add custom permissions and categories' UNION ALL
  SELECT 'permissions', 'groups.view_group', 'Can view groups' UNION ALL
  SELECT 'permissions', 'groups.add_group', 'Can add groups' UNION ALL
  SELECT 'permissions', 'groups.change_group', 'Can change groups' UNION ALL
  SELECT 'permissions', 'groups.delete_group', 'Can delete groups' UNION ALL
  SELECT 'tenants', 'tenants.view_tenant', 'Can view organizations' UNION ALL
  SELECT 'tenants', 'tenants.add_tenant', 'Can add organizations' UNION ALL
  SELECT 'tenants', 'tenants.change_tenant', 'Can change organizations' UNION ALL
  SELECT 'tenants', 'tenants.delete_tenant', 'Can delete organizations' UNION ALL
  SELECT 'api_clients', 'api_clients.view_client', 'Can view API clients' UNION ALL
  SELECT 'api_clients', 'api_clients.manage_client', 'Can create, change and delete API clients' UNION ALL
  SELECT 'audit', 'audit.view_log', 'Can read the audit log' UNION ALL
  SELECT 'locations', 'locations.view_location', 'Can view locations' UNION ALL
  SELECT 'dashboard', 'dashboard.view_stats', 'Can view dashboard statistics'
) p JOIN permission_categories c ON c.code = p.cat AND c.tenant_id IS NULL;

INSERT IGNORE INTO roles (uuid, tenant_id, name, display_name, description, role_level, can_assign_roles, is_system) VALUES
  (UUID(), NULL, 'super_admin', 'Super Administrator', 'Everything, on every organization', 1, 1, 1),
  (UUID(), NULL, 'admin', 'Administrator', 'Everything inside the organization', 2, 1, 1),
  (UUID(), NULL, 'billing_manager', 'Billing Manager', 'Billing, payments and customers', 3, 0, 1),
  (UUID(), NULL, 'noc_manager', 'NOC Manager', 'Routers and network operations', 3, 0, 1),
  (UUID(), NULL, 'accountant', 'Accountant', 'Invoices, payments and reports', 4, 0, 1),
  (UUID(), NULL, 'support_staff', 'Support Staff', 'Customer support', 4, 0, 1),
  (UUID(), NULL, 'reseller_admin', 'Reseller Administrator', 'A reseller and their sub-resellers', 4, 1, 1),
  (UUID(), NULL, 'sub_reseller_admin', 'Sub-Reseller Administrator', 'A sub-reseller', 5, 0, 1),
  (UUID(), NULL, 'field_staff', 'Field Staff', 'Installation and field work', 5, 0, 1),
  (UUID(), NULL, 'user', 'User', 'A registered account: its own profile only', 9, 0, 1);

-- super_admin: every shipped permission
INSERT IGNORE INTO role_permissions (role_id, permission_id)
SELECT r.id, p.id FROM roles r JOIN permissions p
WHERE r.tenant_id IS NULL AND r.name = 'super_admin' AND p.tenant_id IS NULL;

-- admin: all but managing other organizations
INSERT IGNORE INTO role_permissions (role_id, permission_id)
SELECT r.id, p.id FROM roles r JOIN permissions p
WHERE r.tenant_id IS NULL AND r.name = 'admin' AND p.tenant_id IS NULL
  AND p.codename NOT IN ('tenants.add_tenant', 'tenants.delete_tenant');

-- the rest: reading what their work needs
INSERT IGNORE INTO role_permissions (role_id, permission_id)
SELECT r.id, p.id FROM roles r JOIN permissions p
WHERE r.tenant_id IS NULL AND p.tenant_id IS NULL AND (
     (r.name IN ('billing_manager', 'noc_manager', 'accountant') AND p.codename IN
        ('users.view_user', 'locations.view_location', 'dashboard.view_stats'))
  OR (r.name = 'reseller_admin' AND p.codename IN
        ('users.view_user', 'users.add_user', 'users.change_user', 'roles.view_role',
         'roles.assign_role', 'locations.view_location', 'dashboard.view_stats'))
  OR (r.name IN ('support_staff', 'sub_reseller_admin', 'field_staff') AND p.codename IN
        ('locations.view_location')));
