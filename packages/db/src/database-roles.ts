/** A PostgreSQL login role the migrations create and grant to. */
export interface RoleCredentials {
  readonly name: string;
  /** Null leaves the password unset (local trust authentication) or unchanged. */
  readonly password: string | null;
}

/**
 * The two roles the product connects as. Neither owns the tables nor is a superuser, so row-level
 * security applies to both; `system` additionally has a policy that lets it see every tenant.
 */
export interface DatabaseRoles {
  /** Tenant-scoped work (api, and tenant-scoped parts of the other apps): `DATABASE_URL`. */
  readonly app: RoleCredentials;
  /** Installation-level work across tenants (bootstrap, outbox relay, scheduling): `DATABASE_SYSTEM_URL`. */
  readonly system: RoleCredentials;
}

export const DEFAULT_DATABASE_ROLES: DatabaseRoles = {
  app: { name: 'envoy_fleet_app', password: null },
  system: { name: 'envoy_fleet_system', password: null },
};

/** The same server and database as `url`, logged in as `role`. */
export function urlForRole(url: string, role: RoleCredentials): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(role.name);
  parsed.password = role.password === null ? '' : encodeURIComponent(role.password);
  return parsed.toString();
}
