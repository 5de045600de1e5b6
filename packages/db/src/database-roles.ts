import { z } from 'zod';

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

/**
 * `DATABASE_SYSTEM_URL`, the setting of every app that works across tenants (outbox relay, snapshot
 * builds, scheduling): described once, so that each app reports it alike.
 */
export function systemDatabaseUrlVariable() {
  return z
    .url({
      protocol: /^(postgres|postgresql)$/,
      error: 'expected a URL starting with postgres:// or postgresql://',
    })
    .optional()
    .describe(
      `PostgreSQL URL of the system role (work across tenants); default: DATABASE_URL as ${DEFAULT_DATABASE_ROLES.system.name}`,
    );
}

/** The system role's URL: `DATABASE_SYSTEM_URL`, else `DATABASE_URL` logged in as the default system role. */
export function systemDatabaseUrl(env: {
  readonly DATABASE_URL: string;
  readonly DATABASE_SYSTEM_URL?: string | undefined;
}): string {
  return env.DATABASE_SYSTEM_URL ?? urlForRole(env.DATABASE_URL, DEFAULT_DATABASE_ROLES.system);
}
