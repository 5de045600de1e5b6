import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** A namespace of the test's own, so that its streams do not overlap other suites' on the shared server. */
export function uniqueNamespace(): string {
  return `t${randomBytes(6).toString('hex')}`;
}

/** Deletes the streams a bus created under `namespace` (and their consumers with them). */
export async function deleteNamespaceStreams(servers: string, namespace: string): Promise<void> {
  const connection = await connect({ servers });
  try {
    const manager = await jetstreamManager(connection);
    for await (const name of manager.streams.names()) {
      if (name.startsWith(`${namespace}_`)) await manager.streams.delete(name);
    }
  } finally {
    await connection.close();
  }
}
