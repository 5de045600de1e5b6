import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { TEST_NATS_URL } from '@envoy-fleet/test-kit/nats';
import { openEventBus, type ResourceOwner, silentLogger } from '../src';
import { deleteNamespaceStreams, uniqueNamespace } from './support/jetstream-namespace';

class RecordingOwner implements ResourceOwner {
  readonly opened: string[] = [];
  private readonly closers: (() => Promise<void>)[] = [];

  async open<T>(name: string, open: () => Promise<T>, close: (resource: T) => Promise<void>): Promise<T> {
    const resource = await open();
    this.opened.push(name);
    this.closers.push(() => close(resource));
    return resource;
  }

  async closeAll(): Promise<void> {
    for (const close of this.closers.splice(0)) await close();
  }
}

async function namespaceStreams(namespace: string): Promise<string[]> {
  const connection = await connect({ servers: TEST_NATS_URL });
  try {
    const names: string[] = [];
    const manager = await jetstreamManager(connection);
    for await (const name of manager.streams.names()) {
      if (name.startsWith(`${namespace}_`)) names.push(name);
    }
    return names;
  } finally {
    await connection.close();
  }
}

describe(openEventBus.name, () => {
  const namespace = uniqueNamespace();

  afterAll(() => deleteNamespaceStreams(TEST_NATS_URL, namespace));

  it('connects a bus the owner closes, with the streams provisioned under the namespace', async () => {
    const owner = new RecordingOwner();
    const bus = await openEventBus(
      owner,
      { NATS_URL: TEST_NATS_URL, NATS_NAMESPACE: namespace },
      { name: 'open-event-bus-spec', logger: silentLogger },
    );

    expect(owner.opened).toEqual(['event bus']);
    expect((await bus.health()).healthy).toBe(true);
    expect(await namespaceStreams(namespace)).not.toHaveLength(0);

    await owner.closeAll();
    expect((await bus.health()).healthy).toBe(false);
  });
});
