import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DURABLE_EVENT_SUBJECT_PREFIX, type DomainEvent, proxyReportsOf } from '@envoy-fleet/domain';
import type { EventBus, Subscription } from '@envoy-fleet/messaging';
import { type Observable, Subject } from 'rxjs';
import { API_SETTINGS, EVENT_BUS } from '../../api.tokens';
import type { ApiSettings } from '../../api-settings';

/**
 * Every durable event, fanned out in process to the replica's SSE clients. Each replica is its own
 * consumer group (`api-events-<API_INSTANCE_ID>`), so every replica sees every event; events are
 * acknowledged once handed to the clients connected at that moment.
 */
@Injectable()
export class EventHub implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly events = new Subject<DomainEvent>();
  private subscription: Subscription | undefined;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(API_SETTINGS) private readonly settings: ApiSettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.bus.consume({
      subject: `${DURABLE_EVENT_SUBJECT_PREFIX}.>`,
      durable: `api-events-${this.settings.instanceId}`,
      handler: (event) => {
        // xds-server batches its proxy reports; clients see them as the events they stand for.
        const events = event.type === 'proxy.reports' ? proxyReportsOf(event) : [event];
        for (const each of events) this.events.next(each);
        return Promise.resolve();
      },
    });
  }

  /** Ends every SSE response first, so that shutdown does not wait for clients to hang up. */
  async onModuleDestroy(): Promise<void> {
    this.events.complete();
    await this.subscription?.stop();
  }

  get stream(): Observable<DomainEvent> {
    return this.events.asObservable();
  }
}
