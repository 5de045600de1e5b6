import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DomainError, type EventPayloads } from '@envoy-fleet/domain';
import type { EventBus, Subscription } from '@envoy-fleet/messaging';
import { API_SETTINGS, EVENT_BUS } from '../../api.tokens';
import type { ApiSettings } from '../../api-settings';

type Reply = 'snapshot.rebuild.completed' | 'snapshot.read.completed';

/** How long a caller waits for fleet-manager's answer before UNAVAILABLE. */
export const SNAPSHOT_ANSWER_TIMEOUT_MS = 15_000;

/**
 * What fleet-manager answers to this replica's snapshot requests, handed to whoever waits for that request
 * id: `snapshot.rebuild.completed` (durable, so REST callers of `POST /snapshots/rebuild` see it on the
 * event stream too; its own consumer group per replica, `api-snapshot-replies-<API_INSTANCE_ID>`, so every
 * replica sees every one) and the broadcast `snapshot.read.completed`.
 */
@Injectable()
export class SnapshotReplies implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly waiters = new Map<string, (payload: EventPayloads[Reply]) => void>();
  private readonly subscriptions: Subscription[] = [];

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(API_SETTINGS) private readonly settings: ApiSettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscriptions.push(
      await this.bus.consume({
        types: ['snapshot.rebuild.completed'],
        durable: `api-snapshot-replies-${this.settings.instanceId}`,
        handler: (event) => this.answer(event.payload),
      }),
      await this.bus.subscribe('snapshot.read.completed', (event) => this.answer(event.payload)),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.subscriptions.map((subscription) => subscription.stop()));
  }

  private answer(payload: EventPayloads[Reply]): Promise<void> {
    this.waiters.get(payload.requestId)?.(payload);
    return Promise.resolve();
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
