import { type EventBus, type EventOf, type Subscription } from '@envoy-fleet/messaging';
import { type SnapshotBuilder } from './snapshot-builder';
import { type SnapshotReads } from './snapshot-reads';
import { type SnapshotRebuild } from './snapshot-rebuild';

/** Every replica joins this consumer group, so each event is handled by one of them. */
export const SNAPSHOT_CONSUMER = 'fleet-manager-snapshots';

const TRIGGERS = [
  'config.version.created',
  'binding.changed',
  'template.changed',
  'group.changed',
  'proxy.changed',
  'proxy.reload.requested',
  'rollout.changed',
  'config.version.released',
  'proxy.sync.changed',
  'snapshot.rebuild.requested',
  'snapshot.read.requested',
] as const;
type SnapshotTrigger = (typeof TRIGGERS)[number];

/**
 * Rebuilds snapshots when what decides them changes. Any of these events can change which version
 * several proxies of the tenant should run (a group's parent, a selector's matches, a template
 * that renders differently, a proxy others inherit from), so the tenant is
 * re-resolved; only proxies whose version changed are written, which also makes redeliveries harmless.
 * `proxy.reload.requested` (the api's `POST /proxies/{node_id}/reload`) re-resolves the same way,
 * which restores a pointer or snapshot Redis lost. A rollout that starts, moves to its next wave,
 * completes, is aborted or rolled back (by the engine or an operator) changes which version its proxies
 * run (`releasedVersion`). A lasting NACK (`proxy.sync.changed` NACKED) withholds its version from the
 * proxies not served it yet, and an operator's release (`config.version.released`) lifts that.
 * `snapshot.rebuild.requested` is a rebuild on demand (`SnapshotRebuild`); `snapshot.read.requested` asks
 * what a proxy is served (`SnapshotReads`), and is answered after the builds queued before it.
 */
export function consumeSnapshotTriggers(
  bus: EventBus,
  builder: SnapshotBuilder,
  requests: { readonly rebuild: SnapshotRebuild; readonly reads: SnapshotReads },
): Promise<Subscription> {
  return bus.consume({
    durable: SNAPSHOT_CONSUMER,
    types: TRIGGERS,
    handler: (event) => handle(builder, requests, event),
  });
}

async function handle(
  builder: SnapshotBuilder,
  requests: { readonly rebuild: SnapshotRebuild; readonly reads: SnapshotReads },
  event: EventOf<SnapshotTrigger>,
): Promise<void> {
  if (event.type === 'snapshot.rebuild.requested') {
    await requests.rebuild.execute(event);
    return;
  }
  if (event.type === 'snapshot.read.requested') {
    await requests.reads.execute(event);
    return;
  }
  if (event.type === 'proxy.sync.changed' && event.payload.status !== 'NACKED') return;
  if (event.type === 'proxy.changed' && event.payload.change === 'deleted' && event.tenantId !== null) {
    await builder.forget(event.tenantId, event.payload.nodeId);
    return;
  }
  await builder.execute(event.tenantId === null ? {} : { tenantId: event.tenantId });
}
