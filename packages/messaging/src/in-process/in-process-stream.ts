import { redeliveryDelayMs, type IncomingMessage } from '../delivery';
import { subjectMatches } from '../subject-names';
import type { MessageHeaders } from '../trace-context';

export interface StoredMessage {
  readonly subject: string;
  readonly body: string;
  readonly headers: MessageHeaders;
  readonly storedAt: number;
}

export interface StreamLimits {
  readonly maxMessages: number;
  readonly maxAgeMs: number;
  readonly duplicateWindowMs: number;
}

/** What a member reports after handling a delivery: done (acknowledged or dead-lettered), or try again later. */
export type Settlement = { readonly retryAfterMs: number } | 'done';

/** One consumer in a group; it handles one delivery at a time. */
export interface GroupMember {
  settle(message: IncomingMessage): Promise<Settlement>;
}

/**
 * A stream kept in memory, with JetStream's semantics where the product relies on them: messages
 * are de-duplicated by id within a window, each durable group sees each message once (whichever
 * member takes it), unsettled messages are redelivered, and a group outlives its members.
 */
export class InProcessStream {
  private readonly retained: StoredMessage[] = [];
  private readonly recentIds = new Map<string, number>();
  private readonly groups = new Map<string, ConsumerGroup>();

  constructor(
    private readonly limits: StreamLimits,
    private readonly ackWaitTimers: TimerRegistry,
  ) {}

  /** Stores the message unless its id was seen within the duplicate window; returns whether it was stored. */
  append(subject: string, body: string, headers: MessageHeaders, messageId?: string): boolean {
    const now = Date.now();
    for (const [id, seenAt] of this.recentIds) {
      if (now - seenAt <= this.limits.duplicateWindowMs) break;
      this.recentIds.delete(id);
    }
    if (messageId !== undefined) {
      if (this.recentIds.has(messageId)) return false;
      this.recentIds.set(messageId, now);
    }

    const message: StoredMessage = { subject, body, headers, storedAt: now };
    this.retained.push(message);
    while (
      this.retained.length > this.limits.maxMessages ||
      (this.retained[0] !== undefined && now - this.retained[0].storedAt > this.limits.maxAgeMs)
    ) {
      this.retained.shift();
    }
    for (const group of this.groups.values()) group.offer(message);
    return true;
  }

  /**
   * The durable group of that name, created on first use: starting with the messages stored from
   * now on (`new`), or with every retained message its filter selects (`all`).
   */
  group(
    name: string,
    filterSubjects: readonly string[],
    startAt: 'new' | 'all',
    ackWaitMs: number,
  ): ConsumerGroup {
    const existing = this.groups.get(name);
    if (existing) {
      existing.configure(filterSubjects, ackWaitMs);
      return existing;
    }
    const group = new ConsumerGroup(filterSubjects, ackWaitMs, this.ackWaitTimers);
    this.groups.set(name, group);
    if (startAt === 'all') for (const message of this.retained) group.offer(message);
    return group;
  }
}

interface Pending {
  readonly message: StoredMessage;
  readonly deliveries: number;
}

export class ConsumerGroup {
  private readonly queue: Pending[] = [];
  private readonly members: GroupMember[] = [];
  private readonly busy = new Set<GroupMember>();

  constructor(
    private filterSubjects: readonly string[],
    private ackWaitMs: number,
    private readonly timers: TimerRegistry,
  ) {}

  configure(filterSubjects: readonly string[], ackWaitMs: number): void {
    this.filterSubjects = filterSubjects;
    this.ackWaitMs = ackWaitMs;
  }

  offer(message: StoredMessage): void {
    if (!this.filterSubjects.some((filter) => subjectMatches(filter, message.subject))) return;
    this.queue.push({ message, deliveries: 0 });
    this.dispatch();
  }

  join(member: GroupMember): void {
    this.members.push(member);
    this.dispatch();
  }

  leave(member: GroupMember): void {
    const index = this.members.indexOf(member);
    if (index !== -1) this.members.splice(index, 1);
  }

  private dispatch(): void {
    for (;;) {
      const member = this.members.find((candidate) => !this.busy.has(candidate));
      if (member === undefined || this.queue.length === 0) return;
      const pending = this.queue.shift();
      if (pending === undefined) return;
      // Rotate so that the next delivery prefers another member, as pull consumers share work.
      this.members.push(...this.members.splice(this.members.indexOf(member), 1));
      this.deliver(member, pending);
    }
  }

  private deliver(member: GroupMember, pending: Pending): void {
    const attempt = pending.deliveries + 1;
    const { message } = pending;
    const redeliver = () => {
      this.queue.push({ message, deliveries: attempt });
      this.dispatch();
    };
    let settled = false;
    // Like JetStream's ack wait: a handler that takes too long loses the message to another member.
    const ackWait = this.timers.after(this.ackWaitMs, () => {
      settled = true;
      redeliver();
    });
    this.busy.add(member);
    void member
      .settle({ subject: message.subject, body: message.body, headers: message.headers, attempt })
      .catch((): Settlement => ({ retryAfterMs: redeliveryDelayMs(attempt) }))
      .then((settlement) => {
        this.busy.delete(member);
        if (!settled) {
          settled = true;
          this.timers.cancel(ackWait);
          if (settlement !== 'done') this.timers.after(settlement.retryAfterMs, redeliver);
        }
        this.dispatch();
      });
  }
}

/** Every timer the in-process bus sets, so that closing it leaves nothing running. */
export class TimerRegistry {
  private readonly timers = new Set<NodeJS.Timeout>();

  after(delayMs: number, callback: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      callback();
    }, delayMs);
    this.timers.add(timer);
    return timer;
  }

  cancel(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  cancelAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
