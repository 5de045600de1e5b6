import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { STARTED_MESSAGE_TYPE, type StartedMessage } from '@envoy-fleet/telemetry/entrypoint';

const START_TIMEOUT_MS = 60_000;

/** The built api entry point, beside the module its `./bootstrap` export names. */
function apiMain(): string {
  return join(dirname(require.resolve('@envoy-fleet/api/bootstrap')), 'main.js');
}

/** A real api process (`node dist/main.js`), as the product runs it. */
export class ApiProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly exited: Promise<unknown>,
    readonly url: string,
  ) {}

  /** Runs `node <nodeOptions> dist/main.js` with `env` (and PATH) as its whole environment. */
  static async start(nodeOptions: readonly string[], env: Record<string, string>): Promise<ApiProcess> {
    const child = spawn(process.execPath, [...nodeOptions, apiMain()], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const exited = once(child, 'exit');
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the api did not start within ${START_TIMEOUT_MS} ms:\n${output}`)),
        START_TIMEOUT_MS,
      );
      child.on('message', (message: StartedMessage) => {
        if (message.type !== STARTED_MESSAGE_TYPE) return;
        clearTimeout(timer);
        resolve(message.url);
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`the api exited before it started:\n${output}`));
      });
    });
    return new ApiProcess(child, exited, url);
  }

  /** SIGTERM, then waits for the exit (and for a CPU profile to be written, when one was asked for). */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}
