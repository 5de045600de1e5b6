import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DomainError, type EventPayloads } from '@envoy-fleet/domain';
import type { EventBus, Subscription } from '@envoy-fleet/messaging';
import { EVENT_BUS } from '../../api.tokens';

type Reply = 'snapshot.rebuild.completed' | 'snapshot.read.completed';

/** How long a caller waits for fleet-manager's answer before UNAVAILABLE. */
export const SNAPSHOT_ANSWER_TIMEOUT_MS = 15_000;

/**
 * What fleet-manager answers to this replica's snapshot requests: the broadcast
 * `snapshot.rebuild.completed` and `snapshot.read.completed` (every replica hears them), handed to
 * whoever waits for that request id.
 */
@Injectable()
export class SnapshotReplies implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly waiters = new Map<string, (payload: EventPayloads[Reply]) => void>();
  private readonly subscriptions: Subscription[] = [];

  constructor(@Inject(EVENT_BUS) private readonly bus: EventBus) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const type of ['snapshot.rebuild.completed', 'snapshot.read.completed'] as const) {
      this.subscriptions.push(
        await this.bus.subscribe(type, (event) => {
          this.waiters.get(event.payload.requestId)?.(event.payload);
          return Promise.resolve();
        }),
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.subscriptions.map((subscription) => subscription.stop()));
  }

  /**
   * Publishes `request` (built for `requestId`) once the answer is awaited, and resolves to the answer;
   * fails with UNAVAILABLE when fleet-manager does not answer within {@link SNAPSHOT_ANSWER_TIMEOUT_MS}.
   */
  async ask<T extends Reply>(
    requestId: string,
    request: () => Promise<void>,
    what: string,
  ): Promise<EventPayloads[T]> {
    let timer: NodeJS.Timeout | undefined;
    const answer = new Promise<EventPayloads[T]>((resolve, reject) => {
      this.waiters.set(requestId, (payload) => resolve(payload as EventPayloads[T]));
      timer = setTimeout(
        () =>
          reject(
            DomainError.unavailable(
              `fleet-manager did not ${what} within ${SNAPSHOT_ANSWER_TIMEOUT_MS / 1000} s; retry later`,
              { requestId, timeoutSeconds: SNAPSHOT_ANSWER_TIMEOUT_MS / 1000 },
            ),
          ),
        SNAPSHOT_ANSWER_TIMEOUT_MS,
      );
    });
    try {
      await request();
      return await answer;
    } finally {
      clearTimeout(timer);
      this.waiters.delete(requestId);
    }
  }
}
