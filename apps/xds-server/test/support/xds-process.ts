import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { STARTED_MESSAGE_TYPE, type StartedMessage } from '@envoy-fleet/telemetry/entrypoint';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');
const START_TIMEOUT_MS = 60_000;

/** The built xds-server (`node dist/main.js`) run as the product runs it. */
export class XdsProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly exited: Promise<[number | null]>,
    private readonly output: () => string,
  ) {}

  /** Spawns the process and resolves once it reports that it listens. */
  static async start(env: Record<string, string>): Promise<XdsProcess> {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = once(child, 'exit') as Promise<[number | null]>;
    await new Promise<StartedMessage>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the xds-server did not start within ${START_TIMEOUT_MS} ms:\n${output}`)),
        START_TIMEOUT_MS,
      );
      child.on('message', (message: StartedMessage) => {
        if (message.type !== STARTED_MESSAGE_TYPE) return;
        clearTimeout(timer);
        resolve(message);
      });
      void exited.then(([code]) => {
        clearTimeout(timer);
        reject(new Error(`the xds-server exited with ${String(code)} before it started:\n${output}`));
      });
    });
    return new XdsProcess(child, exited, () => output);
  }

  /** Everything the process wrote so far. */
  logs(): string {
    return this.output();
  }

  /** SIGTERM, then the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    const [code] = await this.exited;
    return code;
  }
}
