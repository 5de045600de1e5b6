import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { booleanVariable, EnvError, hostVariable, integerVariable } from '@envoy-fleet/telemetry/env';
import { servingKeyOf, tenantOfServingKey } from '@envoy-fleet/xds';
import { z } from 'zod';

const MIB = 1024 * 1024;
const DAY_MS = 86_400_000;

/** The default serving key of XDS_AUTO_REGISTER: tenant `default`. */
export const AUTO_REGISTER_DEFAULT_SERVING_KEY = servingKeyOf('default', 'auto-registered');

/** The xDS protocol server's variables (XDS_PORT is the shell's). */
export const xdsEnvSchema = z.object({
  XDS_HOST: hostVariable().default('0.0.0.0').describe('address the xDS gRPC server binds to'),
  XDS_MAX_STREAMS: integerVariable(1, 1_000_000)
    .default(20_000)
    .describe('xDS streams one replica serves; beyond it new streams get RESOURCE_EXHAUSTED'),
  XDS_MAX_CONCURRENT_INITIAL_PUSHES: integerVariable(1, 100_000)
    .default(200)
    .describe('streams doing their initial push at once; the others wait their turn'),
  XDS_KEEPALIVE_TIME_MS: integerVariable(1_000, DAY_MS)
    .default(30_000)
    .describe('interval of HTTP/2 keepalive pings the server sends on idle connections, in ms'),
  XDS_KEEPALIVE_TIMEOUT_MS: integerVariable(1_000, DAY_MS)
    .default(10_000)
    .describe('how long a keepalive ping waits for its answer before the connection is closed, in ms'),
  XDS_MAX_CONNECTION_AGE_MS: integerVariable(0, 30 * DAY_MS)
    .default(1_800_000)
    .describe(
      'connections older than this get GOAWAY so that clients rebalance across replicas (0: never), in ms',
    ),
  XDS_MAX_CONNECTION_AGE_GRACE_MS: integerVariable(0, DAY_MS)
    .default(30_000)
    .describe('how long streams of a connection past its maximum age may go on before it is closed, in ms'),
  XDS_AUTO_REGISTER: booleanVariable()
    .default(false)
    .describe('development mode: serve node ids without a proxy pointer instead of refusing them'),
  XDS_AUTO_REGISTER_SERVING_KEY: z
    .string()
    .refine((key) => tenantOfServingKey(key) !== undefined, 'expected a serving key t:<tenant id>:<rest>')
    .default(AUTO_REGISTER_DEFAULT_SERVING_KEY)
    .describe('serving key of auto-registered proxies (tenant "default" unless set)'),
  XDS_TLS_CERT: z
    .string()
    .optional()
    .describe('PEM certificate chain of the xDS server; enables mTLS with the two others'),
  XDS_TLS_KEY: z.string().optional().describe('PEM private key of the xDS server certificate'),
  XDS_TLS_CA: z.string().optional().describe('PEM CA bundle that client certificates must chain to'),
  XDS_CACHE_MAX_BYTES: integerVariable(MIB, 64 * 1024 * MIB)
    .default(256 * MIB)
    .describe('bytes of resources cached in process beyond those being served'),
  XDS_ENCODED_CACHE_MAX_BYTES: integerVariable(MIB, 64 * 1024 * MIB)
    .default(256 * MIB)
    .describe('bytes of pre-encoded response parts shared across streams'),
  XDS_RESYNC_INTERVAL_MS: integerVariable(1_000, DAY_MS)
    .default(30_000)
    .describe('how often every served snapshot is re-read, in case a snapshot.updated was missed, in ms'),
  XDS_STORE_RETRY_DELAY_MS: integerVariable(10, 60_000)
    .default(500)
    .describe(
      'first delay before re-reading a snapshot the store failed to give, doubling up to 16 times, in ms',
    ),
  XDS_SHUTDOWN_GRACE_MS: integerVariable(0, 600_000)
    .default(5_000)
    .describe('how long shutdown waits for xDS streams to close after ending them with OK, in ms'),
  XDS_REFLECTION: booleanVariable().default(true).describe('serve gRPC server reflection on the xDS port'),
  XDS_REPLICA_ID: z
    .string()
    .min(1)
    .default(`${hostname()}-${process.pid}`)
    .describe('name of this replica in events and in control_plane.identifier'),
});

export type XdsEnv = z.output<typeof xdsEnvSchema>;

export interface XdsTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer;
}

export interface XdsConfig {
  readonly host: string;
  readonly port: number;
  readonly maxStreams: number;
  readonly maxConcurrentInitialPushes: number;
  readonly keepaliveTimeMs: number;
  readonly keepaliveTimeoutMs: number;
  /** undefined: connections never age out. */
  readonly maxConnectionAgeMs: number | undefined;
  readonly maxConnectionAgeGraceMs: number;
  readonly autoRegister: boolean;
  readonly autoRegisterServingKey: string;
  readonly tls: XdsTls | undefined;
  readonly cacheMaxBytes: number;
  readonly encodedCacheMaxBytes: number;
  readonly resyncIntervalMs: number;
  readonly storeRetryDelayMs: number;
  readonly shutdownGraceMs: number;
  readonly reflection: boolean;
  readonly replicaId: string;
}

/** Turns validated variables into the server's configuration, reading the TLS files. */
export function xdsConfigFrom(env: XdsEnv, port: number): XdsConfig {
  return {
    host: env.XDS_HOST,
    port,
    maxStreams: env.XDS_MAX_STREAMS,
    maxConcurrentInitialPushes: env.XDS_MAX_CONCURRENT_INITIAL_PUSHES,
    keepaliveTimeMs: env.XDS_KEEPALIVE_TIME_MS,
    keepaliveTimeoutMs: env.XDS_KEEPALIVE_TIMEOUT_MS,
    maxConnectionAgeMs: env.XDS_MAX_CONNECTION_AGE_MS === 0 ? undefined : env.XDS_MAX_CONNECTION_AGE_MS,
    maxConnectionAgeGraceMs: env.XDS_MAX_CONNECTION_AGE_GRACE_MS,
    autoRegister: env.XDS_AUTO_REGISTER,
    autoRegisterServingKey: env.XDS_AUTO_REGISTER_SERVING_KEY,
    tls: tlsFrom(env),
    cacheMaxBytes: env.XDS_CACHE_MAX_BYTES,
    encodedCacheMaxBytes: env.XDS_ENCODED_CACHE_MAX_BYTES,
    resyncIntervalMs: env.XDS_RESYNC_INTERVAL_MS,
    storeRetryDelayMs: env.XDS_STORE_RETRY_DELAY_MS,
    shutdownGraceMs: env.XDS_SHUTDOWN_GRACE_MS,
    reflection: env.XDS_REFLECTION,
    replicaId: env.XDS_REPLICA_ID,
  };
}

function tlsFrom(env: XdsEnv): XdsTls | undefined {
  const files = { XDS_TLS_CERT: env.XDS_TLS_CERT, XDS_TLS_KEY: env.XDS_TLS_KEY, XDS_TLS_CA: env.XDS_TLS_CA };
  const set = Object.entries(files).filter(([, path]) => path !== undefined);
  if (set.length === 0) return undefined;
  if (set.length < 3) {
    const missing = Object.entries(files)
      .filter(([, path]) => path === undefined)
      .map(([name]) => name);
    throw new EnvError(
      missing.map(
        (name) => `${name}: required when any of XDS_TLS_CERT, XDS_TLS_KEY, XDS_TLS_CA is set (mTLS)`,
      ),
    );
  }
  const problems: string[] = [];
  const read = (name: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (error) {
      problems.push(
        `${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
      return Buffer.alloc(0);
    }
  };
  const tls = {
    cert: read('XDS_TLS_CERT', files.XDS_TLS_CERT as string),
    key: read('XDS_TLS_KEY', files.XDS_TLS_KEY as string),
    ca: read('XDS_TLS_CA', files.XDS_TLS_CA as string),
  };
  if (problems.length > 0) throw new EnvError(problems);
  return tls;
}
