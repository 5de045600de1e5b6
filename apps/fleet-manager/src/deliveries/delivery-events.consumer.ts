import { type EventBus, type Subscription } from '@envoy-fleet/messaging';
import { type DeliveryRecorder, PROXY_REPORTS } from './delivery-recorder';

/** Every replica joins this consumer group, so each report is recorded by one of them. */
export const DELIVERY_CONSUMER = 'fleet-manager-deliveries';
const REPORT_BATCH_ACK_WAIT_MS = 120_000;

/** Records the connects, disconnects, sends, ACKs and NACKs xds-server reports (batched or not). */
export function consumeProxyReports(bus: EventBus, recorder: DeliveryRecorder): Promise<Subscription> {
  return bus.consume({
    durable: DELIVERY_CONSUMER,
    types: PROXY_REPORTS,
    // A proxy.reports batch holds up to 500 reports, recorded in one transaction of a few statements.
    ackWaitMs: REPORT_BATCH_ACK_WAIT_MS,
    handler: (event) => recorder.record(event),
  });
}
