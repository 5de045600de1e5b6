import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const NATS_SERVER_BINARY = '/usr/sbin/nats-server';
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

/** The shared NATS server (with JetStream) that tests use when they do not need to stop it. */
export const TEST_NATS_URL = process.env.NATS_URL ?? `nats://${HOST}:4222`;

/** A nats-server process of the test's own, on a free port, with its own JetStream store directory. */
export interface PrivateNatsServer {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** Starts the server again on the same port and store directory, so JetStream keeps its streams. */
  start(): Promise<void>;
  /** Stops the server (SIGTERM) and waits until the process has exited. */
  stop(): Promise<void>;
  /** Stops the server and deletes its store directory. */
  dispose(): Promise<void>;
}

/** Spawns `nats-server -js` on a free port and resolves once it accepts TCP connections. */
export async function startNatsServer(): Promise<PrivateNatsServer> {
  const port = await findFreePort();
  const storeDir = await mkdtemp(join(tmpdir(), 'envoy-fleet-nats-'));
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    if (child) throw new Error(`nats-server on port ${port} is already running`);
    child = await spawnNatsServer(port, storeDir);
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running) await terminate(running);
  };

  await start();
  return {
    url: `nats://${HOST}:${port}`,
    port,
    storeDir,
    start,
    stop,
    dispose: async () => {
      await stop();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

async function spawnNatsServer(port: number, storeDir: string): Promise<ChildProcess> {
  const args = ['-js', '-a', HOST, '-p', String(port), '-sd', storeDir];
  const child = spawn(NATS_SERVER_BINARY, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4_000);
  });
  let exit: string | undefined;
  child.once('exit', (code, signal) => {
    exit = `exited with ${signal ?? `code ${code}`}`;
  });
  child.once('error', (error) => {
    exit = `could not be spawned: ${error.message}`;
  });

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await acceptsConnections(port))) {
    if (exit !== undefined || Date.now() > deadline) {
      child.kill('SIGKILL');
      const reason = exit ?? `did not accept connections within ${READY_TIMEOUT_MS} ms`;
      throw new Error(`${NATS_SERVER_BINARY} ${args.join(' ')} ${reason}; its log ends with:\n${output}`);
    }
    await sleep(50);
  }
  return child;
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine a free TCP port'));
      });
    });
  });
}
