import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { STARTED_MESSAGE_TYPE, type StartedMessage } from '@envoy-fleet/telemetry/entrypoint';

const START_TIMEOUT_MS = 60_000;

/** The built node-agent entry point, beside the module its `./bootstrap` export names. */
function nodeAgentMain(): string {
  return join(dirname(require.resolve('@envoy-fleet/node-agent/bootstrap')), 'main.js');
}

/** A real node-agent process (`node dist/main.js`), as a VM runs it. */
export class NodeAgentProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly exited: Promise<unknown>,
    readonly output: () => string,
  ) {}

  /** Runs `node dist/main.js` with `env` (and PATH) as its whole environment. */
  static async start(env: Record<string, string>): Promise<NodeAgentProcess> {
    const child = spawn(process.execPath, [nodeAgentMain()], {
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
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the node-agent did not start within ${START_TIMEOUT_MS} ms:\n${output}`)),
        START_TIMEOUT_MS,
      );
      child.on('message', (message: StartedMessage) => {
        if (message.type !== STARTED_MESSAGE_TYPE) return;
        clearTimeout(timer);
        resolve();
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`the node-agent exited before it started:\n${output}`));
      });
    });
    return new NodeAgentProcess(child, exited, () => output);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('the node-agent process has no pid');
    return this.child.pid;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}
