import type { Logger } from 'pino';

interface OwnedResource {
  readonly name: string;
  close(): Promise<void>;
}

/**
 * The resources an app opened itself (database pool, bus connection, Redis client), closed in reverse
 * order of opening. Resources handed in by the embedded launcher are not registered: their owner closes them.
 */
export class OwnedResources {
  private readonly resources: OwnedResource[] = [];

  /** Opens a resource and remembers how to close it. */
  async open<T>(name: string, open: () => Promise<T>, close: (resource: T) => Promise<void>): Promise<T> {
    const resource = await open();
    this.resources.push({ name, close: () => close(resource) });
    return resource;
  }

  /** Closes everything, newest first; a failure is logged and does not stop the others from closing. */
  async closeAll(logger: Logger): Promise<void> {
    for (const resource of this.resources.splice(0).reverse()) {
      try {
        await resource.close();
        logger.debug({ resource: resource.name }, 'closed');
      } catch (error) {
        logger.error({ resource: resource.name, err: error }, `closing ${resource.name} failed`);
      }
    }
  }
}
