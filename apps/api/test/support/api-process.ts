import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { once } from 'node:events';
import { STARTED_MESSAGE_TYPE, type StartedMessage } from '@envoy-fleet/telemetry/entrypoint';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');
const START_TIMEOUT_MS = 60_000;

export interface ApiProcess {
  readonly url: string;
  /** What the process reported it serves (the launcher banner's lines). */
  readonly endpoints: StartedMessage['endpoints'];
  /** Everything the process wrote to stdout so far. */
  stdout(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Runs the built api (`node dist/main.js`) as the product runs it, and resolves once it listens. */
export async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  const started = new Promise<StartedMessage>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the api did not start within ${START_TIMEOUT_MS} ms:\n${stderr}`)),
      START_TIMEOUT_MS,
    );
    child.on('message', (message: StartedMessage) => {
      if (message.type !== STARTED_MESSAGE_TYPE) return;
      clearTimeout(timer);
      resolve(message);
    });
    void exited.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`the api exited with ${String(code)} before it started:\n${stderr}`));
    });
  });
  const { url, endpoints } = await started;
  return {
    url,
    endpoints,
    stdout: () => stdout,
    stop: async () => {
      child.kill('SIGTERM');
      const [code] = await exited;
      return code;
    },
  };
}
