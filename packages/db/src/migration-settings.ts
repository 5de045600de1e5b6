import { z } from 'zod';
import { DEFAULT_DATABASE_ROLES, type DatabaseRoles } from './database-roles';

export interface MigrationSettings {
  /** Connects as the role that owns the tables. */
  readonly adminUrl: string;
  readonly roles: DatabaseRoles;
}

const postgresUrl = z.string().refine((value) => /^postgres(ql)?:\/\//.test(value) && URL.canParse(value), {
  message: 'must be a postgres:// or postgresql:// URL',
});
const roleName = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, {
  message: 'must be a lowercase PostgreSQL role name ([a-z_][a-z0-9_]*, at most 63)',
});
const password = z.string().optional();

const schema = z
  .object({
    DATABASE_ADMIN_URL: postgresUrl.optional(),
    DATABASE_URL: postgresUrl.optional(),
    DATABASE_APP_ROLE: roleName.default(DEFAULT_DATABASE_ROLES.app.name),
    DATABASE_APP_PASSWORD: password,
    DATABASE_SYSTEM_ROLE: roleName.default(DEFAULT_DATABASE_ROLES.system.name),
    DATABASE_SYSTEM_PASSWORD: password,
  })
  .refine((env) => env.DATABASE_ADMIN_URL !== undefined || env.DATABASE_URL !== undefined, {
    message: 'set DATABASE_ADMIN_URL (the table owner) or, failing that, DATABASE_URL',
    path: ['DATABASE_ADMIN_URL'],
  })
  .refine((env) => env.DATABASE_APP_ROLE !== env.DATABASE_SYSTEM_ROLE, {
    message: 'must differ from DATABASE_APP_ROLE',
    path: ['DATABASE_SYSTEM_ROLE'],
  });

/**
 * Reads what `migrate` needs from the environment, with one line per missing or wrong variable.
 * Empty variables count as unset.
 */
export function migrationSettingsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): MigrationSettings {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `- ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid database configuration:\n${lines.join('\n')}`);
  }
  const settings = parsed.data;
  return {
    adminUrl: settings.DATABASE_ADMIN_URL ?? settings.DATABASE_URL ?? '',
    roles: {
      app: { name: settings.DATABASE_APP_ROLE, password: settings.DATABASE_APP_PASSWORD ?? null },
      system: { name: settings.DATABASE_SYSTEM_ROLE, password: settings.DATABASE_SYSTEM_PASSWORD ?? null },
    },
  };
}
