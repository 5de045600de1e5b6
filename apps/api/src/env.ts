import {
  booleanVariable,
  databaseUrlVariable,
  httpServerVariables,
  natsNamespaceVariable,
  natsUrlVariable,
  portVariable,
  urlVariable,
} from '@envoy-fleet/telemetry/env';
import { z } from 'zod';

const settings = {
  ...httpServerVariables(8080),
  GRPC_PORT: portVariable().default(8081).describe('port of the management gRPC API (ControlPlaneService)'),
  DATABASE_URL: databaseUrlVariable(),
  DATABASE_SYSTEM_URL: urlVariable(['postgres', 'postgresql'])
    .optional()
    .describe(
      'PostgreSQL URL of the system role (outbox relay, work across tenants); default: DATABASE_URL as envoy_fleet_system',
    ),
  DB_MIGRATE_ON_START: booleanVariable()
    .default(false)
    .describe('apply pending migrations at start-up, connected as DATABASE_ADMIN_URL'),
  DATABASE_ADMIN_URL: urlVariable(['postgres', 'postgresql'])
    .optional()
    .describe(
      'PostgreSQL URL of the role that owns the schema, used to migrate, e.g. postgres://postgres@127.0.0.1:5432/envoy_fleet',
    ),
};

/** The variables that name the message broker: read only when the api connects to it itself. */
const connections = {
  NATS_URL: natsUrlVariable(),
  NATS_NAMESPACE: natsNamespaceVariable(),
};

function requireAdminUrlToMigrate(
  env: { DB_MIGRATE_ON_START: boolean; DATABASE_ADMIN_URL?: string | undefined },
  context: z.core.$RefinementCtx,
): void {
  if (env.DB_MIGRATE_ON_START && env.DATABASE_ADMIN_URL === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['DATABASE_ADMIN_URL'],
      message: `required when DB_MIGRATE_ON_START=true (${settings.DATABASE_ADMIN_URL.description})`,
    });
  }
}

/** Run the rule even when other variables are wrong, so that every problem is reported at once. */
const unlessItsVariablesAreWrong = {
  when: (payload: z.core.ParsePayload) =>
    !payload.issues.some((issue) =>
      ['DB_MIGRATE_ON_START', 'DATABASE_ADMIN_URL'].includes(String(issue.path?.[0])),
    ),
};

/** Every variable of the api run on its own. */
export const apiEnvSchema = z
  .object({ ...settings, ...connections })
  .superRefine(requireAdminUrlToMigrate, unlessItsVariablesAreWrong);

/** The variables of the api run by the embedded launcher, which hands it the event bus. */
export const apiEmbeddedEnvSchema = z
  .object(settings)
  .superRefine(requireAdminUrlToMigrate, unlessItsVariablesAreWrong);

export type ApiEnv = z.output<typeof apiEnvSchema>;
export type ApiEmbeddedEnv = z.output<typeof apiEmbeddedEnvSchema>;
