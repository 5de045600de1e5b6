import { Readable } from 'node:stream';
import { CONTAINER_STATES, type ContainerState } from '@envoy-fleet/domain';
import type Docker from 'dockerode';
import {
  type ContainerDetails,
  type ContainerEngine,
  type ContainerStatsSample,
  type ContainerSummary,
  type CreateContainerRequest,
  type DockerContainerEvent,
  EngineError,
  type LogOptions,
  WATCHED_DOCKER_EVENTS,
  type WatchedDockerEvent,
} from './container-engine';

const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/** The Docker Engine API through dockerode. */
export class DockerodeEngine implements ContainerEngine {
  constructor(private readonly docker: Docker) {}

  async ping(): Promise<void> {
    await call('ping the Docker engine', () => this.docker.ping());
  }

  async version(): Promise<string> {
    const version = await call('read the Docker version', () => this.docker.version());
    return version.Version;
  }

  async listContainers(labels: readonly string[]): Promise<ContainerSummary[]> {
    const containers = await call('list containers', () =>
      this.docker.listContainers({ all: true, filters: { label: [...labels] } }),
    );
    return containers.map(summaryOf);
  }

  async listContainersNamed(prefix: string): Promise<ContainerSummary[]> {
    const containers = await call('list containers', () =>
      this.docker.listContainers({ all: true, filters: { name: [`^/${prefix}`] } }),
    );
    return containers.map(summaryOf);
  }

  async inspectContainer(idOrName: string): Promise<ContainerDetails | null> {
    try {
      const details = await this.docker.getContainer(idOrName).inspect();
      const health = details.State.Health?.Status;
      return {
        id: details.Id,
        name: details.Name.replace(/^\//, ''),
        image: details.Config.Image,
        state: stateOf(details.State.Status),
        labels: details.Config.Labels ?? {},
        exitCode: details.State.Running ? null : details.State.ExitCode,
        startedAt: startedAtOf(details.State.StartedAt),
        oomKilled: details.State.OOMKilled,
        dockerHealth: health === 'starting' || health === 'healthy' || health === 'unhealthy' ? health : null,
      };
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw engineError(`inspect container ${idOrName}`, error);
    }
  }

  async createContainer(request: CreateContainerRequest): Promise<string> {
    const exposed = Object.fromEntries(
      request.portBindings.map((binding) => [`${binding.containerPort}/tcp`, {}]),
    );
    const bindings = Object.fromEntries(
      request.portBindings.map((binding) => [
        `${binding.containerPort}/tcp`,
        [{ HostIp: binding.hostIp, HostPort: String(binding.hostPort) }],
      ]),
    );
    const container = await call(`create container ${request.name}`, () =>
      this.docker.createContainer({
        name: request.name,
        Image: request.image,
        Env: [...request.env],
        Labels: { ...request.labels },
        ExposedPorts: exposed,
        StopTimeout: request.stopTimeoutSeconds,
        HostConfig: {
          NetworkMode: request.network,
          PortBindings: bindings,
          Binds: [...request.binds],
          Memory: request.memoryBytes ?? 0,
          // No swap beyond the memory limit: an Envoy over its limit is OOM-killed, not slowed down.
          MemorySwap: request.memoryBytes ?? 0,
          NanoCpus: request.nanoCpus ?? 0,
          RestartPolicy: { Name: request.restartPolicy === 'no' ? '' : request.restartPolicy },
          // Docker's init as PID 1: it hands SIGTERM to Envoy at any moment and reaps exited children.
          Init: true,
        },
      }),
    );
    return container.id;
  }

  async startContainer(id: string): Promise<void> {
    await this.tolerating304(`start container ${id}`, () => this.docker.getContainer(id).start());
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    await this.tolerating304(`stop container ${id}`, () =>
      this.docker.getContainer(id).stop({ t: graceSeconds }),
    );
  }

  async restartContainer(id: string, graceSeconds: number): Promise<void> {
    await call(`restart container ${id}`, () => this.docker.getContainer(id).restart({ t: graceSeconds }));
  }

  async unpauseContainer(id: string): Promise<void> {
    await call(`unpause container ${id}`, () => this.docker.getContainer(id).unpause());
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (error) {
      // 404: already gone; 409 "removal already in progress": another remove will finish it.
      if (statusOf(error) === 404) return;
      if (statusOf(error) === 409 && /already in progress/.test(messageOf(error))) return;
      throw engineError(`remove container ${id}`, error);
    }
  }

  async hasImage(reference: string): Promise<boolean> {
    try {
      await this.docker.getImage(reference).inspect();
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw engineError(`inspect image ${reference}`, error);
    }
  }

  async pullImage(reference: string, onProgress: (status: string) => void): Promise<void> {
    const stream = await call(`pull image ${reference}`, () => this.docker.pull(reference));
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (error: Error | null, output: { error?: string }[]) => {
          const failed = error?.message ?? output.find((line) => line.error !== undefined)?.error;
          if (failed === undefined) resolve();
          else reject(new EngineError('failed', `pull image ${reference}: ${failed}`));
        },
        (event: { status?: string; id?: string; progress?: string }) => {
          const parts = [event.id, event.status, event.progress].filter((part) => part !== undefined);
          if (parts.length > 0) onProgress(parts.join(' '));
        },
      );
    });
  }

  async *events(labels: readonly string[], signal: AbortSignal): AsyncIterable<DockerContainerEvent> {
    const stream = await call('follow Docker events', () =>
      this.docker.getEvents({
        filters: { type: ['container'], label: [...labels], event: [...WATCHED_DOCKER_EVENTS] },
        abortSignal: signal,
      }),
    );
    let pending = '';
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        pending += chunk.toString('utf8');
        let newline = pending.indexOf('\n');
        while (newline !== -1) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          newline = pending.indexOf('\n');
          const event = line === '' ? null : eventOf(JSON.parse(line) as RawDockerEvent);
          if (event !== null) yield event;
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      throw engineError('follow Docker events', error);
    }
    if (!signal.aborted) throw new EngineError('unavailable', 'the Docker events stream ended');
  }

  async stats(id: string): Promise<ContainerStatsSample | null> {
    try {
      const stats = await this.docker.getContainer(id).stats({ stream: false, 'one-shot': true });
      if (stats.cpu_stats.system_cpu_usage === undefined) return null;
      return {
        cpuTotalNs: stats.cpu_stats.cpu_usage.total_usage,
        systemCpuNs: stats.cpu_stats.system_cpu_usage,
        onlineCpus: stats.cpu_stats.online_cpus ?? 1,
        memoryBytes: stats.memory_stats.usage ?? 0,
      };
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw engineError(`read stats of container ${id}`, error);
    }
  }

  async logs(id: string, options: LogOptions, signal: AbortSignal): Promise<AsyncIterable<Buffer>> {
    const container = this.docker.getContainer(id);
    const common = {
      stdout: true,
      stderr: true,
      tail: options.tail,
      ...(options.since === null ? {} : { since: options.since }),
      abortSignal: signal,
    };
    try {
      if (!options.follow) return Readable.from([await container.logs({ ...common, follow: false })]);
      const stream = await container.logs({ ...common, follow: true });
      return followed(Readable.from(stream as AsyncIterable<Buffer>), id, signal);
    } catch (error) {
      if (signal.aborted) return Readable.from([]);
      if (statusOf(error) === 404) throw new EngineError('not_found', `no container ${id}`, { cause: error });
      throw engineError(`read logs of container ${id}`, error);
    }
  }

  private async tolerating304(what: string, run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (error) {
      if (statusOf(error) === 304) return;
      throw engineError(what, error);
    }
  }
}

interface RawDockerEvent {
  readonly Type?: string;
  readonly Action?: string;
  readonly status?: string;
  readonly id?: string;
  readonly time?: number;
  readonly timeNano?: number;
  readonly Actor?: { readonly ID?: string; readonly Attributes?: Record<string, string> };
}

function eventOf(raw: RawDockerEvent): DockerContainerEvent | null {
  // `health_status: healthy` carries the status in the action.
  const [action, detail] = (raw.Action ?? raw.status ?? '').split(': ');
  if (!isWatched(action)) return null;
  const attributes = { ...(raw.Actor?.Attributes ?? {}) };
  const exitCode = attributes.exitCode === undefined ? null : Number(attributes.exitCode);
  const name = attributes.name ?? '';
  delete attributes.name;
  delete attributes.image;
  delete attributes.exitCode;
  const health = detail === 'starting' || detail === 'healthy' || detail === 'unhealthy' ? detail : null;
  return {
    action,
    containerId: raw.Actor?.ID ?? raw.id ?? '',
    name,
    labels: attributes,
    exitCode,
    health,
    time: raw.timeNano === undefined ? new Date((raw.time ?? 0) * 1000) : new Date(raw.timeNano / 1e6),
  };
}

function isWatched(action: string | undefined): action is WatchedDockerEvent {
  return (WATCHED_DOCKER_EVENTS as readonly (string | undefined)[]).includes(action);
}

function summaryOf(container: Docker.ContainerInfo): ContainerSummary {
  return {
    id: container.Id,
    name: (container.Names[0] ?? '').replace(/^\//, ''),
    image: container.Image,
    state: stateOf(container.State),
    labels: container.Labels,
  };
}

function stateOf(state: string): ContainerState {
  return (CONTAINER_STATES as readonly string[]).includes(state) ? (state as ContainerState) : 'dead';
}

async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw engineError(what, error);
  }
}

/** The chunks of a followed log stream until it ends or `signal` aborts it. */
async function* followed(stream: Readable, id: string, signal: AbortSignal): AsyncIterable<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    if (signal.aborted) return;
    throw engineError(`read logs of container ${id}`, error);
  }
}

/** Docker writes `0001-01-01T00:00:00Z` for a container that never started. */
function startedAtOf(value: string | undefined): Date | null {
  const startedAt = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isNaN(startedAt) || startedAt <= 0 ? null : new Date(startedAt);
}

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'statusCode' in error
    ? (error as { statusCode?: number }).statusCode
    : undefined;
}

function messageOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'json' in error) {
    const json = (error as { json?: { message?: string } }).json;
    if (typeof json?.message === 'string') return json.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Classifies a dockerode error: the engine unreachable, a missing object, a conflict, or another refusal. */
export function engineError(what: string, error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
  if (code !== undefined && CONNECTION_ERRORS.has(code)) {
    return new EngineError('unavailable', `cannot ${what}: the Docker engine is unreachable (${code})`, {
      cause: error,
    });
  }
  const status = statusOf(error);
  const kind = status === 404 ? 'not_found' : status === 409 ? 'conflict' : 'failed';
  return new EngineError(kind, `cannot ${what}: ${messageOf(error).trim()}`, { cause: error });
}
