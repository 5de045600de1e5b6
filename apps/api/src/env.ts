import { systemDatabaseUrlVariable } from '@envoy-fleet/db';
import { hostname } from 'node:os';
import {
  booleanVariable,
  databaseUrlVariable,
  httpServerVariables,
  integerVariable,
  natsNamespaceVariable,
  natsUrlVariable,
  portVariable,
  urlVariable,
} from '@envoy-fleet/telemetry/env';
import { z } from 'zod';

/** 32 bytes, base64: the AES-256-GCM key of secrets at rest. */
const encryptionKeyVariable = () =>
  z
    .string()
    .refine(
      (value) => Buffer.from(value, 'base64').length === 32,
      'expected 32 bytes encoded in base64 (openssl rand -base64 32)',
    );

const TENANT_SLUG = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

const security = {
  HTTP_BODY_LIMIT_BYTES: integerVariable(1024, 64 * 1024 * 1024)
    .default(4 * 1024 * 1024)
    .describe('largest request body accepted, in bytes; larger ones get 413'),
  JWT_SECRET: z
    .string()
    .min(32, 'expected at least 32 characters')
    .optional()
    .describe(
      'HS256 key of the access tokens the api issues and accepts; default: a random key per process (tokens then work on that replica only)',
    ),
  JWT_TTL_SECONDS: integerVariable(60, 86_400)
    .default(900)
    .describe('lifetime of the access tokens issued at /api/v1/auth/token'),
  JWKS_URL: urlVariable(['https', 'http'])
    .optional()
    .describe('JWKS of an identity provider whose RS256/ES256 tokens (claims tid and role) the api accepts'),
  JWT_ISSUER: z.string().min(1).optional().describe('required `iss` of tokens verified with JWKS_URL'),
  JWT_AUDIENCE: z.string().min(1).optional().describe('required `aud` of tokens verified with JWKS_URL'),
  SECRET_ENCRYPTION_KEY: encryptionKeyVariable()
    .optional()
    .describe(
      'base64 of 32 bytes: encrypts Envoy secrets at rest (AES-256-GCM); without it configs holding secrets are refused',
    ),
  FLEET_ADMIN_TENANT: z
    .string()
    .regex(TENANT_SLUG, 'expected a tenant name (lowercase letters, digits and dashes)')
    .default('default')
    .describe('the tenant created on first start; its admins manage every tenant'),
  FLEET_BOOTSTRAP_TOKEN: z
    .string()
    .min(20, 'expected at least 20 characters')
    .optional()
    .describe(
      'the admin API key created on first start with an empty database; default: generated and printed once',
    ),
};

const settings = {
  ...security,
  API_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, "_" or "-"')
    .default(
      hostname()
        .replace(/[^A-Za-z0-9_-]/g, '-')
        .slice(0, 64),
    )
    .describe(
      'stable name of this replica: its JetStream consumer for the SSE event stream is api-events-<API_INSTANCE_ID>; default: the host name',
    ),
  ...httpServerVariables(8080),
  GRPC_PORT: portVariable().default(8081).describe('port of the management gRPC API (ControlPlaneService)'),
  DATABASE_URL: databaseUrlVariable(),
  DATABASE_SYSTEM_URL: systemDatabaseUrlVariable(),
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
