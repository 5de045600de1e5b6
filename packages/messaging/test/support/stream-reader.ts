import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { DomainEvent } from '@envoy-fleet/domain';

/** Every event a stream holds, in stream order, read with an ordered consumer of the test's own. */
export async function readStream(servers: string, stream: string): Promise<DomainEvent[]> {
  const connection = await connect({ servers });
  try {
    const { state } = await (await jetstreamManager(connection)).streams.info(stream);
    const consumer = await jetstream(connection).consumers.get(stream);
    const events: DomainEvent[] = [];
    while (events.length < state.messages) {
      const message = await consumer.next({ expires: 5_000 });
      if (message === null)
        throw new Error(`stream ${stream} gave ${events.length} of ${state.messages} messages`);
      events.push(message.json<DomainEvent>());
    }
    return events;
  } finally {
    await connection.close();
  }
}
