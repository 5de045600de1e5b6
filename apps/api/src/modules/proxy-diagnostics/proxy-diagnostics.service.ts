import { randomUUID } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import {
  type AgentCommandKind,
  type AgentCommandPayloadInputs,
  type AgentCommandResult,
  DomainError,
  type LogChunk,
  type NodeStatus,
} from '@envoy-fleet/domain';
import { NodeEntity } from '@envoy-fleet/db';
import type { EventBus } from '@envoy-fleet/messaging';
import type { Logger } from '@envoy-fleet/telemetry';
import { API_LOGGER, EVENT_BUS } from '../../api.tokens';
import type { Principal } from '../../auth/principal';
import { findProxy } from '../../database/lookups';
import { UnitOfWork } from '../../database/unit-of-work.service';
import { AgentProblem } from './agent-problem';
import { AgentReplies } from './agent-replies';
import type { LogsQuery } from './proxy-diagnostics.dto';
import { filterPrometheusText } from './prometheus-filter';

/** How long the api waits for the agent to take a command and answer (it runs commands one at a time). */
export const AGENT_ANSWER_TIMEOUT_MS = 15_000;
/** A followed log stream ends after this long (or when the container stops, or the client goes). */
export const FOLLOW_SECONDS = 3_600;
/** A followed stream whose agent went away sends no last chunk: the api ends it this long after. */
const FOLLOW_GRACE_MS = 60_000;
/** Node statuses whose agent heartbeats, and so takes commands. */
const CONNECTED: ReadonlySet<NodeStatus> = new Set(['ready', 'draining']);

type SucceededResult = Extract<AgentCommandResult, { ok: true }>;

/** The agent in charge of a proxy's container. */
interface AgentTarget {
  readonly nodeId: string;
  readonly proxyId: string;
  readonly vmId: string;
}

export interface ProxyStats {
  /** Prometheus text format. */
  readonly text: string;
  /** The agent cut the stats at 256 KiB. */
  readonly truncated: boolean;
}

/** A proxy's log lines as they come (`text/plain`, one line each); `close` ends it early. */
export interface LogStream {
  readonly body: Readable;
  close(): void;
}

/**
 * Logs and stats of a proxy's container on demand [issue 7]. The agent has no inbound port: the api
 * sends `logs`, `stop-logs` and `probe` commands on the node's JetStream subject and reads the agent's
 * answers (`agent.command.completed`, `agent.logs`) from NATS.
 */
@Injectable()
export class ProxyDiagnosticsService implements OnModuleDestroy {
  private readonly open = new Set<LogStream>();

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly replies: AgentReplies,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(API_LOGGER) private readonly logger: Logger,
  ) {}

  /** Ends every open log stream, so that shutdown does not wait for followers. */
  onModuleDestroy(): void {
    for (const stream of this.open) stream.close();
  }

  async metrics(principal: Principal, nodeId: string, filter: string | undefined): Promise<ProxyStats> {
    const target = await this.target(principal, nodeId);
    const result = await this.ask(target, 'probe', { proxyId: target.proxyId, stats: true });
    const stats = result.probe?.stats ?? null;
    if (stats === null) {
      throw new AgentProblem(
        'proxy-admin-unreachable',
        `the admin interface of proxy ${nodeId} did not answer its agent: ${result.probe?.error ?? `/stats/prometheus gave no stats (/ready answered ${result.probe?.readyStatus ?? 'nothing'})`}`,
        { nodeId, vmId: target.vmId },
      );
    }
    return {
      text: filter === undefined ? stats : filterPrometheusText(stats, new RegExp(filter)),
      truncated: result.probe?.statsTruncated ?? false,
    };
  }

  /**
   * Resolves once the agent has opened the container's log stream (its first chunk or its result),
   * with the lines to send; the stream ends with the agent's last chunk.
   */
  async logs(principal: Principal, nodeId: string, query: LogsQuery): Promise<LogStream> {
    const target = await this.target(principal, nodeId);
    const commandId = randomUUID();
    const body = new PassThrough();
    const chunks = new Map<number, LogChunk>();
    let nextSequence = 0;
    let ended = false;
    let opened: (() => void) | undefined;
    let refused: ((error: Error) => void) | undefined;
    const opening = new Promise<void>((resolve, reject) => {
      opened = resolve;
      refused = reject;
    });
    const stopReading = this.replies.onLogs(commandId, (chunk) => {
      chunks.set(chunk.sequence, chunk);
      for (let next = chunks.get(nextSequence); next !== undefined; next = chunks.get(nextSequence)) {
        chunks.delete(nextSequence);
        nextSequence += 1;
        opened?.();
        for (const line of next.lines) body.write(`${line.text}\n`);
        if (next.end) finish();
      }
    });
    const stopWaiting = this.replies.onResult(commandId, (result) => {
      if (result.ok) opened?.();
      else refused?.(this.failure(target, result));
    });
    const stream: LogStream = {
      body,
      close: () => {
        if (ended) return;
        finish();
        if (query.follow) void this.stopLogs(target, commandId);
      },
    };
    const deadline = setTimeout(() => stream.close(), FOLLOW_SECONDS * 1000 + FOLLOW_GRACE_MS);
    deadline.unref();
    const finish = (): void => {
      ended = true;
      clearTimeout(deadline);
      stopReading();
      stopWaiting();
      this.open.delete(stream);
      body.end();
    };
    this.open.add(stream);
    try {
      await this.send(target, commandId, 'logs', {
        proxyId: target.proxyId,
        tail: query.tail,
        follow: query.follow,
        followSeconds: FOLLOW_SECONDS,
        since: query.since ?? null,
      });
      await this.answered(target, opening);
    } catch (error) {
      stream.close();
      throw error;
    }
    return stream;
  }

  /** The proxy in the caller's tenant, and its node's agent if that one is connected. */
  private target(principal: Principal, nodeId: string): Promise<AgentTarget> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const proxy = await findProxy(manager, nodeId);
      const vmId = proxy.vmId;
      if (vmId === null) {
        throw new AgentProblem(
          'proxy-not-placed',
          `proxy ${nodeId} is not placed on a node: no agent runs a container for it`,
          { nodeId },
        );
      }
      const node = await manager.findOneBy(NodeEntity, { id: vmId });
      if (node === null || !CONNECTED.has(node.status)) {
        const lastHeartbeatAt = node?.lastHeartbeatAt?.toISOString() ?? null;
        throw new AgentProblem(
          'agent-unavailable',
          `the agent of node ${vmId}, where proxy ${nodeId} runs, is not connected (node status ${node?.status ?? 'unknown'}, last heartbeat ${lastHeartbeatAt ?? 'never'})`,
          { nodeId, vmId, nodeStatus: node?.status ?? null, lastHeartbeatAt },
        );
      }
      return { nodeId, proxyId: proxy.id, vmId };
    });
  }

  /** Sends one command and waits for its successful result. */
  private async ask<K extends AgentCommandKind>(
    target: AgentTarget,
    kind: K,
    payload: AgentCommandPayloadInputs[K],
  ): Promise<SucceededResult> {
    const commandId = randomUUID();
    let stopWaiting: () => void = () => undefined;
    const result = new Promise<AgentCommandResult>((resolve) => {
      stopWaiting = this.replies.onResult(commandId, resolve);
    });
    try {
      await this.send(target, commandId, kind, payload);
      const answer = await this.answered(target, result);
      if (!answer.ok) throw this.failure(target, answer);
      return answer;
    } finally {
      stopWaiting();
    }
  }

  private async send<K extends AgentCommandKind>(
    target: AgentTarget,
    id: string,
    kind: K,
    payload: AgentCommandPayloadInputs[K],
  ): Promise<void> {
    try {
      await this.bus.sendCommand(target.vmId, { id, kind, payload, issuedAt: new Date().toISOString() });
    } catch (error) {
      throw new AgentProblem(
        'agent-unavailable',
        `could not queue the ${kind} command for the agent of node ${target.vmId}: ${error instanceof Error ? error.message : String(error)}`,
        { nodeId: target.nodeId, vmId: target.vmId },
      );
    }
  }

  /** `answer`, unless the agent takes longer than AGENT_ANSWER_TIMEOUT_MS. */
  private async answered<T>(target: AgentTarget, answer: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new AgentProblem(
              'agent-timeout',
              `the agent of node ${target.vmId} did not answer within ${AGENT_ANSWER_TIMEOUT_MS / 1000} s (it runs its commands one at a time: a long one may hold it up)`,
              { nodeId: target.nodeId, vmId: target.vmId, timeoutSeconds: AGENT_ANSWER_TIMEOUT_MS / 1000 },
            ),
          ),
        AGENT_ANSWER_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private failure(target: AgentTarget, result: Extract<AgentCommandResult, { ok: false }>): Error {
    const details = { nodeId: target.nodeId, vmId: target.vmId, agentError: result.error.code };
    switch (result.error.code) {
      case 'container_not_found':
        return new DomainError(
          'INVALID_STATE',
          `proxy ${target.nodeId} has no container on node ${target.vmId} (being created or removed?)`,
          { details },
        );
      case 'docker_unavailable':
        return new AgentProblem('agent-docker-unavailable', result.error.message, details);
      default:
        return new AgentProblem('agent-command-failed', result.error.message, details);
    }
  }

  /** Asks the agent to end a followed stream whose reader went away. */
  private async stopLogs(target: AgentTarget, logsCommandId: string): Promise<void> {
    try {
      await this.send(target, randomUUID(), 'stop-logs', { proxyId: target.proxyId, logsCommandId });
    } catch (error) {
      this.logger.warn(
        { err: error, vmId: target.vmId, logsCommandId },
        'could not ask the agent to end a log stream; it ends on its own after FOLLOW_SECONDS',
      );
    }
  }
}
