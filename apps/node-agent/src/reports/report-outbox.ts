import { randomUUID } from 'node:crypto';
import { createEvent, type DomainEvent, type EventPayloads } from '@envoy-fleet/domain';
import type { EventPublisher } from '@envoy-fleet/messaging';
import type { Logger } from '@envoy-fleet/telemetry';
import { type Clock, retryDelayMs } from '../agent/clock';

type AgentEventType = Extract<keyof EventPayloads, `agent.${string}`>;
type DurableAgentEventType = Exclude<AgentEventType, 'agent.heartbeat' | 'agent.logs'>;
type BroadcastAgentEventType = Extract<AgentEventType, 'agent.heartbeat' | 'agent.logs'>;

export interface ReportEnvelope {
  /** Default: a new UUID. A command result uses the command's id, so that a repeated one is dropped. */
  readonly id?: string;
  readonly tenantId: string | null;
  readonly aggregateId: string;
}

/** Reports kept while NATS is unreachable; beyond this the oldest are dropped (and logged). */
const DEFAULT_CAPACITY = 10_000;

/**
 * Publishes the agent's reports. Durable reports (registration, command results, container changes,
 * reconciliations) wait in memory, in order, while NATS is unreachable and are sent when it is back;
 * broadcasts (heartbeats, log chunks) only matter now and are dropped when they cannot be sent.
 */
export class ReportOutbox {
  private readonly queue: DomainEvent[] = [];
  private flushing: Promise<void> | undefined;
  private readonly stopped = new AbortController();
  private dropped = 0;

  constructor(
    private readonly bus: EventPublisher,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  durable<T extends DurableAgentEventType>(
    type: T,
    payload: EventPayloads[T],
    envelope: ReportEnvelope,
  ): void {
    if (this.queue.length >= this.capacity) {
      this.queue.shift();
      this.dropped += 1;
      this.logger.error(
        { dropped: this.dropped, capacity: this.capacity },
        'report queue full: dropped the oldest report',
      );
    }
    this.queue.push(this.event(type, payload, envelope));
    this.flushing ??= this.flush().finally(() => (this.flushing = undefined));
  }

  /** True when sent. */
  async broadcast<T extends BroadcastAgentEventType>(
    type: T,
    payload: EventPayloads[T],
    envelope: ReportEnvelope,
  ): Promise<boolean> {
    try {
      await this.bus.publish(this.event(type, payload, envelope));
      return true;
    } catch (error) {
      this.logger.debug({ type, err: error }, 'broadcast report not sent');
      return false;
    }
  }

  /** Reports waiting to be sent. */
  pending(): number {
    return this.queue.length;
  }

  /** Tries to send what is queued for at most `timeoutMs`, then stops retrying. */
  async close(timeoutMs: number): Promise<void> {
    const flushing = this.flushing;
    if (flushing !== undefined) await Promise.race([flushing, this.clock.sleep(timeoutMs)]);
    this.stopped.abort();
    if (this.queue.length > 0) {
      this.logger.warn({ pending: this.queue.length }, 'stopping with reports NATS has not received');
    }
  }

  private async flush(): Promise<void> {
    let attempt = 0;
    while (this.queue.length > 0 && !this.stopped.signal.aborted) {
      const next = this.queue[0] as DomainEvent;
      try {
        await this.bus.publish(next);
        if (this.queue[0] === next) this.queue.shift();
        if (attempt > 0) this.logger.info({ pending: this.queue.length }, 'NATS takes reports again');
        attempt = 0;
      } catch (error) {
        attempt += 1;
        if (attempt === 1) {
          this.logger.warn(
            { pending: this.queue.length, err: error },
            'cannot send reports; retrying with backoff',
          );
        }
        await this.clock.sleep(retryDelayMs(attempt), this.stopped.signal);
      }
    }
  }

  private event<T extends AgentEventType>(
    type: T,
    payload: EventPayloads[T],
    envelope: ReportEnvelope,
  ): DomainEvent {
    return createEvent(type, {
      id: envelope.id ?? randomUUID(),
      tenantId: envelope.tenantId,
      aggregateId: envelope.aggregateId,
      payload,
      occurredAt: this.clock.now(),
    });
  }
}
