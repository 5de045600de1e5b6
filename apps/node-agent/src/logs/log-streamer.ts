import type { AgentCommandPayloads, LogChunk } from '@envoy-fleet/domain';
import type { Logger } from '@envoy-fleet/telemetry';
import type { Clock } from '../agent/clock';
import type { ContainerEngine } from '../docker/container-engine';
import type { ReportOutbox } from '../reports/report-outbox';
import { DockerLogDemuxer, type LogLine } from './docker-log-demuxer';

const MAX_LINES_PER_CHUNK = 200;

export interface LogRequest {
  readonly commandId: string;
  readonly nodeId: string;
  readonly tenantId: string;
  readonly containerId: string;
  readonly options: AgentCommandPayloads['logs'];
}

/**
 * Sends a container's logs back over NATS as `agent.logs` chunks keyed by the command id: the tail at
 * once, and with `follow` the new lines as they come, until the container stops or the time is up.
 * The agent needs no inbound port: whoever asked subscribes to the chunks.
 */
export class LogStreamer {
  /** Followed streams still open, by the id of their `logs` command. */
  private readonly active = new Map<string, AbortController>();

  constructor(
    private readonly engine: ContainerEngine,
    private readonly reports: ReportOutbox,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /**
   * Without `follow`, resolves once every chunk is sent. With `follow`, resolves once the stream is
   * open and keeps sending in the background.
   */
  async stream(request: LogRequest): Promise<void> {
    const { options } = request;
    const controller = new AbortController();
    const since = options.since === null ? null : Math.floor(Date.parse(options.since) / 1000);
    // Opening the stream fails the command itself when the container is missing.
    const lines = await this.engine.logs(
      request.containerId,
      { tail: options.tail, follow: options.follow, since },
      controller.signal,
    );
    const sending = this.send(request, lines[Symbol.asyncIterator](), controller);
    if (!options.follow) {
      await sending;
      return;
    }
    this.active.set(request.commandId, controller);
    const timer = this.clock
      .sleep(options.followSeconds * 1000, controller.signal)
      .then(() => controller.abort());
    void sending
      .catch((error: unknown) =>
        this.logger.warn({ commandId: request.commandId, err: error }, 'log stream failed'),
      )
      .finally(() => {
        controller.abort();
        this.active.delete(request.commandId);
        return timer;
      });
  }

  /** Ends the followed stream of one `logs` command (it sends its last chunk); false when none is open. */
  stop(logsCommandId: string): boolean {
    const controller = this.active.get(logsCommandId);
    controller?.abort();
    return controller !== undefined;
  }

  /** Ends every followed stream (each sends its last chunk). */
  close(): void {
    for (const controller of this.active.values()) controller.abort();
  }

  private async send(
    request: LogRequest,
    iterator: AsyncIterator<Buffer>,
    controller: AbortController,
  ): Promise<void> {
    const demuxer = new DockerLogDemuxer();
    let sequence = 0;
    let pending: LogLine[] = [];
    // Every chunk Docker hands over is sent at once (in pieces of at most MAX_LINES_PER_CHUNK lines).
    const flush = async (end: boolean): Promise<void> => {
      do {
        const lines = pending.slice(0, MAX_LINES_PER_CHUNK);
        pending = pending.slice(lines.length);
        const last = end && pending.length === 0;
        if (lines.length === 0 && !last) return;
        const chunk: LogChunk = {
          nodeId: request.nodeId,
          commandId: request.commandId,
          proxyId: request.options.proxyId,
          sequence,
          lines,
          end: last,
        };
        sequence += 1;
        await this.reports.broadcast('agent.logs', chunk, {
          tenantId: request.tenantId,
          aggregateId: request.commandId,
        });
      } while (pending.length > 0);
    };
    try {
      let next = await iterator.next();
      while (next.done !== true) {
        pending.push(...demuxer.push(next.value));
        await flush(false);
        next = controller.signal.aborted ? { done: true, value: undefined } : await iterator.next();
      }
    } finally {
      await iterator.return?.();
      pending.push(...demuxer.end());
      await flush(true);
    }
  }
}
