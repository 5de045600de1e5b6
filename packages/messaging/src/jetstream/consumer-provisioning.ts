import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  JetStreamApiCodes,
  type ConsumerConfig,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { describeError } from '../delivery';

export interface DurableConsumerDefinition {
  readonly stream: string;
  readonly durable: string;
  readonly filterSubjects: readonly string[];
  /** Where a new consumer starts; an existing one keeps its position. */
  readonly deliverPolicy: DeliverPolicy;
  readonly ackWaitMs: number;
  /** Unacknowledged messages the consumer hands out at once; 1 keeps strict order. */
  readonly maxAckPending: number;
}

/** JetStream API errors for "a consumer of that name exists with another configuration" (2.10+). */
const CONSUMER_EXISTS_CODES: ReadonlySet<number> = new Set([10013, 10148]);

/**
 * Creates the durable pull consumer, or brings an existing one to this definition. Redelivery is
 * bounded by the bus, not the server, so that a message whose dead-lettering failed is delivered
 * again rather than dropped silently.
 *
 * A changed subject filter recreates the consumer where the old one stood (nats-server 2.9 accepts a
 * filter change in place but then hands new messages out only when a pull request expires, every
 * 15 s or so). Nothing the old filter selected is lost; a newly added subject is received from about
 * the restart on, as a new group would be.
 */
export async function provisionDurableConsumer(
  manager: JetStreamManager,
  definition: DurableConsumerDefinition,
): Promise<void> {
  const { stream, durable } = definition;
  try {
    const existing = await consumerInfo(manager, stream, durable);
    if (existing === null) {
      await createOrAdopt(manager, definition, { deliver_policy: definition.deliverPolicy });
    } else if (!sameFilters(existing.config, definition.filterSubjects)) {
      await manager.consumers.delete(stream, durable);
      await createOrAdopt(manager, definition, {
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: firstUnsettledSequence(existing),
      });
    } else {
      await manager.consumers.update(stream, durable, changeableSettings(definition));
    }
  } catch (error) {
    throw new Error(`cannot provision consumer ${durable} on stream ${stream}: ${describeError(error)}`, {
      cause: error,
    });
  }
}

/** Whether the server takes several subject filters on one consumer (nats-server 2.10 and later). */
export function supportsMultipleFilters(serverVersion: string | undefined): boolean {
  const [major, minor] = (serverVersion ?? '').split('.').map(Number);
  if (major === undefined || minor === undefined || Number.isNaN(major) || Number.isNaN(minor)) return false;
  return major > 2 || (major === 2 && minor >= 10);
}

/**
 * The stream sequence to resume from: after everything delivered (or skipped as not matching) when
 * nothing is outstanding, else after the acknowledgement floor (redelivering what was outstanding).
 */
export function firstUnsettledSequence(info: {
  readonly num_ack_pending: number;
  readonly ack_floor: { readonly stream_seq: number };
  readonly delivered: { readonly stream_seq: number };
}): number {
  return (info.num_ack_pending === 0 ? info.delivered.stream_seq : info.ack_floor.stream_seq) + 1;
}

/** Creates the consumer; if a replica starting at the same time created it first, adopts that one. */
async function createOrAdopt(
  manager: JetStreamManager,
  definition: DurableConsumerDefinition,
  start: Pick<ConsumerConfig, 'deliver_policy' | 'opt_start_seq'>,
): Promise<void> {
  const config: Partial<ConsumerConfig> = {
    ...changeableSettings(definition),
    ...start,
    durable_name: definition.durable,
    ack_policy: AckPolicy.Explicit,
  };
  try {
    await manager.consumers.add(definition.stream, config);
  } catch (error) {
    if (!(error instanceof JetStreamApiError && CONSUMER_EXISTS_CODES.has(error.code))) throw error;
  }
}

function changeableSettings(definition: DurableConsumerDefinition) {
  const [single, ...more] = definition.filterSubjects;
  if (single === undefined)
    throw new Error(`consumer ${definition.durable} needs at least one subject filter`);
  return {
    ack_wait: nanos(definition.ackWaitMs),
    max_deliver: -1,
    max_ack_pending: definition.maxAckPending,
    filter_subject: more.length === 0 ? single : undefined,
    filter_subjects: more.length === 0 ? undefined : [...definition.filterSubjects],
  } satisfies Partial<ConsumerConfig>;
}

function sameFilters(config: ConsumerConfig, wanted: readonly string[]): boolean {
  const current = config.filter_subjects ?? (config.filter_subject ? [config.filter_subject] : []);
  return current.length === wanted.length && [...current].sort().join(' ') === [...wanted].sort().join(' ');
}

async function consumerInfo(manager: JetStreamManager, stream: string, durable: string) {
  try {
    return await manager.consumers.info(stream, durable);
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound) return null;
    throw error;
  }
}
