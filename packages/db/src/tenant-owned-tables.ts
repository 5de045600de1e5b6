/**
 * Every table whose rows belong to one tenant through `tenant_id`, and so carry row-level security.
 * The migrations tests check that exactly these tables (and `tenants`) are secured.
 */
export const TENANT_OWNED_TABLES: readonly string[] = [
  'users',
  'api_keys',
  'role_bindings',
  'nodes',
  'proxy_groups',
  'proxies',
  'listeners',
  'route_configs',
  'clusters',
  'endpoints',
  'secrets',
  'configs',
  'config_versions',
  'config_bindings',
  'config_templates',
  'config_history',
  'rollouts',
  'webhook_subscriptions',
  'webhook_deliveries',
  'audit_log',
  'idempotency_keys',
];
