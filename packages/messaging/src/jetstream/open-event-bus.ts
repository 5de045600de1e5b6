import type { MessagingLogger } from '../event-bus';
import { JetStreamEventBus } from './jetstream-event-bus';

/** Registers what an app opened so that it is closed on shutdown; telemetry's `OwnedResources` is one. */
export interface ResourceOwner {
  open<T>(name: string, open: () => Promise<T>, close: (resource: T) => Promise<void>): Promise<T>;
}

/** The variables every app that owns its bus connection reads. */
export interface EventBusEnv {
  readonly NATS_URL: string | readonly string[];
  readonly NATS_NAMESPACE?: string;
}

/**
 * Connects an app's own JetStream bus and provisions its streams. The bus is registered before provisioning so
 * that a failed provisioning still closes the connection on shutdown.
 */
export async function openEventBus(
  resources: ResourceOwner,
  env: EventBusEnv,
  client: { readonly name: string; readonly logger: MessagingLogger },
): Promise<JetStreamEventBus> {
  const bus = await resources.open(
    'event bus',
    () =>
      Promise.resolve(
        JetStreamEventBus.create({
          servers: env.NATS_URL,
          namespace: env.NATS_NAMESPACE,
          name: client.name,
          logger: client.logger,
        }),
      ),
    (opened) => opened.close(),
  );
  await bus.provisionStreams();
  return bus;
}
