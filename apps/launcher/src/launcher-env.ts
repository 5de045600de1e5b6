import {
  databaseUrlVariable,
  EnvError,
  loadEnv,
  logLevelVariable,
  natsUrlVariable,
  portVariable,
  redisUrlVariable,
} from '@envoy-fleet/telemetry/env';
import { z } from 'zod';

const launcherEnvSchema = z.object({
  DATABASE_URL: databaseUrlVariable().optional(),
  NATS_URL: natsUrlVariable().optional(),
  REDIS_URL: redisUrlVariable().optional(),
  EMBEDDED_PG_PORT: portVariable().default(54329).describe('port of the embedded PostgreSQL (embedded mode)'),
  EMBEDDED_PG_DATA_DIR: z
    .string()
    .min(1)
    .optional()
    .describe(
      'data directory of the embedded PostgreSQL (embedded mode); default <repository>/.data/postgres',
    ),
  LOG_LEVEL: logLevelVariable().default('info').describe('lowest level the launcher and the apps log'),
});

type LauncherEnv = z.output<typeof launcherEnvSchema>;

/** Everything on real services, one process per app; or everything in one process on embedded stand-ins. */
export type LaunchMode =
  | { readonly kind: 'processes'; readonly logLevel: LauncherEnv['LOG_LEVEL'] }
  | {
      readonly kind: 'embedded';
      readonly logLevel: LauncherEnv['LOG_LEVEL'];
      readonly postgresPort: number;
      readonly postgresDataDir: string | undefined;
    };

const SERVICE_VARIABLES = ['DATABASE_URL', 'NATS_URL', 'REDIS_URL'] as const;

/** Reads the launcher's variables and picks the mode: all three service URLs set, or none of them. */
export function launchModeFrom(source: NodeJS.ProcessEnv): LaunchMode {
  const env = loadEnv(launcherEnvSchema, source);
  const missing = SERVICE_VARIABLES.filter((name) => env[name] === undefined);
  if (missing.length === 0) return { kind: 'processes', logLevel: env.LOG_LEVEL };
  if (missing.length === SERVICE_VARIABLES.length) {
    return {
      kind: 'embedded',
      logLevel: env.LOG_LEVEL,
      postgresPort: env.EMBEDDED_PG_PORT,
      postgresDataDir: env.EMBEDDED_PG_DATA_DIR,
    };
  }
  throw new EnvError(
    missing.map(
      (name) =>
        `${name}: required because ${SERVICE_VARIABLES.filter((other) => !missing.includes(other)).join(' and ')} ` +
        `${SERVICE_VARIABLES.length - missing.length === 1 ? 'is' : 'are'} set (set DATABASE_URL, NATS_URL and ` +
        'REDIS_URL to run on your services, or none of them for the embedded default)',
    ),
  );
}
