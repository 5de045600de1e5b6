import { Command, InvalidArgumentError, Option } from 'commander';
import { loadBootstrapFile, parseDurationMs } from '../bootstrap/bootstrap-file';
import {
  BOOTSTRAP_ENV_VARIABLES,
  type BootstrapOverrides,
  mergeOverrides,
  overridesFromEnv,
  resolveBootstrap,
} from '../bootstrap/bootstrap-overrides';
import { SIMULATED_ENVOY_VERSION, type SimBootstrap, type XdsMode } from '../bootstrap/sim-bootstrap';
import { type RejectPolicy } from '../config/reject-policy';
import { type LogLevel, parseLogLevel } from '../sim-logger';
import { parseXdsType, XDS_TYPES, type XdsTypeUrl } from '../xds/xds-types';

/** Everything a run needs, resolved from flags, environment and bootstrap file. */
export interface CliSettings {
  readonly bootstrap: SimBootstrap;
  readonly rejectPolicy: RejectPolicy;
  readonly logLevel: LogLevel;
  readonly count: number;
  readonly nodeIdPattern: string;
  readonly streamsPerChannel: number;
  readonly adminPortBase?: number;
  readonly startIntervalMs: number;
}

interface RawOptions {
  configPath?: string;
  serviceNode?: string;
  serviceCluster?: string;
  serviceZone?: string;
  region?: string;
  xdsHost?: string;
  xdsPort?: number;
  mode?: XdsMode;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsServerName?: string;
  adminAddress?: string;
  adminPort?: number;
  initialFetchTimeout?: number;
  rejectExtension: string[];
  rejectAll: XdsTypeUrl[];
  rejectName?: RegExp;
  count: number;
  nodeIdPattern: string;
  streamsPerChannel: number;
  adminPortBase?: number;
  startIntervalMs: number;
  logLevel: LogLevel;
}

function integer(min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return parsed;
  };
}

function repeatable(value: string, previous: string[]): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ];
}

function xdsTypes(value: string, previous: XdsTypeUrl[]): XdsTypeUrl[] {
  try {
    const types =
      value === 'all' ? [...XDS_TYPES] : value.split(',').map((item) => parseXdsType(item.trim()));
    return [...previous, ...types];
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function wrap<T>(parse: (value: string) => T) {
  return (value: string): T => {
    try {
      return parse(value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

export function buildCliProgram(
  run: (settings: CliSettings) => Promise<void>,
  env: NodeJS.ProcessEnv,
): Command {
  const program = new Command('envoy-sim')
    .description(
      'A simulated Envoy: connects to an xDS server over ADS (SotW or delta), validates, ACKs and NACKs like ' +
        `Envoy, and serves Envoy's admin endpoints. Environment: ${BOOTSTRAP_ENV_VARIABLES.join(', ')}.`,
    )
    .version(SIMULATED_ENVOY_VERSION, '--version')
    .option(
      '-c, --config-path <file>',
      'Envoy bootstrap file (YAML or JSON): node, dynamic_resources.ads_config, admin',
    )
    .option('--service-node <id>', 'node id (NODE_ID)')
    .option('--service-cluster <name>', 'node cluster (CLUSTER_NAME)')
    .option('--service-zone <zone>', 'locality zone (ZONE)')
    .option('--region <region>', 'locality region (REGION)')
    .option('--xds-host <host>', 'xDS server host (CONTROL_PLANE_HOST)')
    .option('--xds-port <port>', 'xDS server port (CONTROL_PLANE_PORT, default 18000)', integer(1, 65535))
    .addOption(new Option('--mode <mode>', 'ADS variant (XDS_MODE)').choices(['sotw', 'delta']))
    .option('--tls-ca <file>', 'CA bundle to verify the xDS server (XDS_TLS_CA_FILE)')
    .option('--tls-cert <file>', 'client certificate for mTLS (XDS_TLS_CERT_FILE)')
    .option('--tls-key <file>', 'client key for mTLS (XDS_TLS_KEY_FILE)')
    .option('--tls-server-name <name>', 'name expected in the server certificate (XDS_TLS_SERVER_NAME)')
    .option('--admin-address <address>', 'admin bind address (ADMIN_ADDRESS, default 127.0.0.1)')
    .option(
      '--admin-port <port>',
      'admin port (ADMIN_PORT); no admin endpoint without one',
      integer(0, 65535),
    )
    .option(
      '--initial-fetch-timeout <duration>',
      'how long init waits for a subscription, e.g. 15s; 0s waits forever',
      wrap(parseDurationMs),
    )
    .option(
      '--reject-extension <name>',
      'act as an Envoy build lacking this extension (name or type URL); repeatable',
      repeatable,
      [],
    )
    .option(
      '--reject-all <types>',
      'NACK every update of these types (lds,rds,cds,eds,sds or all)',
      xdsTypes,
      [],
    )
    .option(
      '--reject-name <regex>',
      'NACK resources whose name matches',
      wrap((value) => new RegExp(value)),
    )
    .option('--count <n>', 'number of simulated Envoys in this process', integer(1, 1_000_000), 1)
    .option('--node-id-pattern <pattern>', 'node ids when --count > 1; {n} is the number', 'sim-{n}')
    .option('--streams-per-channel <n>', 'ADS streams sharing one gRPC connection', integer(1, 100_000), 1)
    .option('--admin-port-base <port>', 'with --count: member n listens on base + n - 1', integer(1, 65535))
    .option('--start-interval-ms <ms>', 'pause between member start-ups', integer(0, 3_600_000), 0)
    .option(
      '-l, --log-level <level>',
      'trace, debug, info, warning, error, critical, off',
      wrap(parseLogLevel),
      'info',
    )
    .option('--log-format <format>', 'accepted for Envoy compatibility and ignored')
    .action(async (raw: RawOptions) => {
      const fromFlags: BootstrapOverrides = {
        nodeId: raw.serviceNode,
        cluster: raw.serviceCluster,
        zone: raw.serviceZone,
        region: raw.region,
        xdsHost: raw.xdsHost,
        xdsPort: raw.xdsPort,
        mode: raw.mode,
        tlsCaFile: raw.tlsCa,
        tlsCertFile: raw.tlsCert,
        tlsKeyFile: raw.tlsKey,
        tlsServerName: raw.tlsServerName,
        adminAddress: raw.adminAddress,
        adminPort: raw.adminPort,
        initialFetchTimeoutMs: raw.initialFetchTimeout,
      };
      const base = raw.configPath ? loadBootstrapFile(raw.configPath) : undefined;
      const fleet = raw.count > 1;
      // A fleet's node ids come from the pattern; it needs no NODE_ID.
      const overrides = mergeOverrides(
        overridesFromEnv(env),
        fromFlags,
        fleet ? { nodeId: raw.nodeIdPattern } : {},
      );
      await run({
        bootstrap: resolveBootstrap(base, overrides),
        rejectPolicy: {
          missingExtensions: raw.rejectExtension,
          rejectAllOf: raw.rejectAll,
          rejectNames: raw.rejectName,
        },
        logLevel: raw.logLevel,
        count: raw.count,
        nodeIdPattern: raw.nodeIdPattern,
        streamsPerChannel: raw.streamsPerChannel,
        adminPortBase: raw.adminPortBase,
        startIntervalMs: raw.startIntervalMs,
      });
    });
  return program;
}
