import type { ContainerRestartPolicy, ContainerState } from '@envoy-fleet/domain';

/** A container as a listing shows it. */
export interface ContainerSummary {
  readonly id: string;
  /** Without Docker's leading `/`. */
  readonly name: string;
  readonly image: string;
  readonly state: ContainerState;
  readonly labels: Readonly<Record<string, string>>;
}

/** A container as inspection shows it. */
export interface ContainerDetails extends ContainerSummary {
  /** Set once the container has exited. */
  readonly exitCode: number | null;
  /** When its process last started; null when it never did. */
  readonly startedAt: Date | null;
  readonly oomKilled: boolean;
  /** Docker's own health check, when the image has one. */
  readonly dockerHealth: 'starting' | 'healthy' | 'unhealthy' | null;
}

export interface PortBinding {
  readonly containerPort: number;
  readonly hostIp: string;
  readonly hostPort: number;
}

/** Everything the agent asks of `docker create`. */
export interface CreateContainerRequest {
  readonly name: string;
  readonly image: string;
  readonly env: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  /** `host`, or the name of a Docker network. */
  readonly network: string;
  /** Published ports; empty on the host network, where they would mean nothing. */
  readonly portBindings: readonly PortBinding[];
  /** `host-path:container-path:ro` mounts. */
  readonly binds: readonly string[];
  readonly memoryBytes: number | null;
  readonly nanoCpus: number | null;
  readonly restartPolicy: ContainerRestartPolicy;
  /** Docker's default grace for `docker stop` of this container. */
  readonly stopTimeoutSeconds: number;
}

/** The Docker events the agent follows. */
export const WATCHED_DOCKER_EVENTS = ['start', 'die', 'oom', 'health_status', 'destroy'] as const;
export type WatchedDockerEvent = (typeof WATCHED_DOCKER_EVENTS)[number];

export interface DockerContainerEvent {
  readonly action: WatchedDockerEvent;
  readonly containerId: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Set for `die`. */
  readonly exitCode: number | null;
  /** Set for `health_status`. */
  readonly health: 'starting' | 'healthy' | 'unhealthy' | null;
  readonly time: Date;
}

/** Cumulative counters of one container, as one stats sample reads them. */
export interface ContainerStatsSample {
  /** Nanoseconds of CPU time the container used since it started. */
  readonly cpuTotalNs: number;
  /** Nanoseconds of CPU time the host used, all cores together. */
  readonly systemCpuNs: number;
  readonly onlineCpus: number;
  readonly memoryBytes: number;
}

export interface LogOptions {
  readonly tail: number;
  readonly follow: boolean;
  /** Seconds since the epoch. */
  readonly since: number | null;
}

/** Why the engine refused: the operations map these to the protocol's error codes. */
export type EngineErrorKind = 'not_found' | 'conflict' | 'unavailable' | 'failed';

export class EngineError extends Error {
  constructor(
    readonly kind: EngineErrorKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'EngineError';
  }
}

/** The part of the Docker Engine API the agent uses. Errors are `EngineError`s. */
export interface ContainerEngine {
  ping(): Promise<void>;
  version(): Promise<string>;
  /** Every container (running or not) carrying all `labels` (`key=value`). */
  listContainers(labels: readonly string[]): Promise<ContainerSummary[]>;
  /** Every container whose name starts with `prefix`. */
  listContainersNamed(prefix: string): Promise<ContainerSummary[]>;
  /** Null when there is no such container. */
  inspectContainer(idOrName: string): Promise<ContainerDetails | null>;
  createContainer(request: CreateContainerRequest): Promise<string>;
  /** Starting a running container does nothing. */
  startContainer(id: string): Promise<void>;
  /** SIGTERM (the image's stop signal), SIGKILL after `graceSeconds`; a stopped container is left as is. */
  stopContainer(id: string, graceSeconds: number): Promise<void>;
  restartContainer(id: string, graceSeconds: number): Promise<void>;
  /** Resumes a paused container. */
  unpauseContainer(id: string): Promise<void>;
  /** Removes the container (and its anonymous volumes); an absent one is not an error. */
  removeContainer(id: string): Promise<void>;
  hasImage(reference: string): Promise<boolean>;
  /** Pulls the image; `onProgress` hears Docker's progress lines. */
  pullImage(reference: string, onProgress: (status: string) => void): Promise<void>;
  /** Container events of the watched kinds for containers carrying all `labels`, until `signal` aborts. */
  events(labels: readonly string[], signal: AbortSignal): AsyncIterable<DockerContainerEvent>;
  /** One stats sample; null when the container is not running. */
  stats(id: string): Promise<ContainerStatsSample | null>;
  /**
   * Opens the container's raw log stream (Docker's multiplexed frames), which runs until it ends or
   * `signal` aborts; resolves once Docker has opened it (a missing container fails here).
   */
  logs(id: string, options: LogOptions, signal: AbortSignal): Promise<AsyncIterable<Buffer>>;
}
