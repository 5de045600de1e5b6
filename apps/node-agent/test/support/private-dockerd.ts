import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { docker } from './test-image';

const START_TIMEOUT_MS = 60_000;
const OUTPUT_KEPT = 20_000;
const run = promisify(execFile);

/**
 * A Docker engine of the suite's own: `dockerd` with its own socket, data root, exec root (and so its
 * own containerd), pid file and an empty configuration file, the storage and network options of the
 * machine's engine and no iptables rules. A test may stop and start it at will; the machine's engine is
 * never touched (it only lends the test image, read with `docker save`).
 */
export class PrivateDockerd {
  private process: ChildProcess | undefined;
  private output = '';

  private constructor(private readonly root: string) {}

  static async start(): Promise<PrivateDockerd> {
    const root = await mkdtemp('/tmp/node-agent-dockerd-');
    await writeFile(join(root, 'daemon.json'), '{}');
    const daemon = new PrivateDockerd(root);
    await daemon.run();
    return daemon;
  }

  get socketPath(): string {
    return join(this.root, 'docker.sock');
  }

  get dockerHost(): string {
    return `unix://${this.socketPath}`;
  }

  engine(): Docker {
    return new Docker({ socketPath: this.socketPath });
  }

  /** Copies an image of the machine's engine into this one (`docker save | docker load`). */
  async loadImage(reference: string): Promise<void> {
    const archive = await docker().getImage(reference).get();
    const output = await this.engine().loadImage(archive);
    await new Promise<void>((resolve, reject) => {
      this.engine().modem.followProgress(output, (error: Error | null) =>
        error === null ? resolve() : reject(error),
      );
    });
  }

  /** SIGTERM, as `systemctl stop docker` does: the daemon stops its containers and exits. */
  async stop(): Promise<void> {
    const running = this.process;
    this.process = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    await exited;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.run();
  }

  /** Stops the daemon, unmounts what it left mounted (its network namespace) and deletes its directories. */
  async dispose(): Promise<void> {
    await this.stop();
    const mountInfo = await readFile('/proc/self/mountinfo', 'utf8');
    const mounts = mountInfo
      .split('\n')
      .map((line) => line.split(' ')[4])
      .filter((path): path is string => path?.startsWith(`${this.root}/`) === true)
      .reverse();
    for (const mount of mounts) await run('umount', [mount]);
    await rm(this.root, { recursive: true, force: true });
  }

  /** The daemon's log, for failure messages. */
  log(): string {
    return this.output;
  }

  private async run(): Promise<void> {
    const child = spawn(
      'dockerd',
      [
        `--host=${this.dockerHost}`,
        `--data-root=${join(this.root, 'data')}`,
        `--exec-root=${join(this.root, 'exec')}`,
        `--pidfile=${join(this.root, 'docker.pid')}`,
        `--config-file=${join(this.root, 'daemon.json')}`,
        '--storage-driver=vfs',
        '--iptables=false',
        '--ip6tables=false',
        '--bridge=none',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (data: Buffer) => (this.output = (this.output + data.toString('utf8')).slice(-OUTPUT_KEPT));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.process = child;
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the private dockerd exited:\n${this.output}`);
      try {
        await this.engine().ping();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`the private dockerd did not answer:\n${this.output}`);
        await sleep(200);
      }
    }
  }
}
