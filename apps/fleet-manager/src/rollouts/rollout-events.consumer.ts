import { type EventBus, type Subscription } from '@envoy-fleet/messaging';
import { type SnapshotBuilder } from '../snapshots/snapshot-builder';

/** Every replica joins this consumer group, so each event is handled by one of them. */
export const ROLLOUT_CONSUMER = 'fleet-manager-rollouts';

/**
 * A rollout that starts, moves to its next wave, completes, is aborted or rolled back (by the engine or
 * an operator through the api) changes which version some proxies run: their tenant is re-resolved and
 * the proxies whose version changed get new snapshot pointers.
 */
export function consumeRolloutChanges(bus: EventBus, builder: SnapshotBuilder): Promise<Subscription> {
  return bus.consume({
    durable: ROLLOUT_CONSUMER,
    types: ['rollout.changed'],
    handler: async (event) => {
      await builder.execute(event.tenantId === null ? {} : { tenantId: event.tenantId });
    },
  });
}
