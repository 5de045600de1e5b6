import { InProcessEventBus } from '../src';
import { eventBusContract } from './event-bus.contract';

describe(InProcessEventBus.name, () => {
  eventBusContract(() => {
    const bus = new InProcessEventBus();
    return Promise.resolve({ a: bus, b: bus, dispose: () => bus.close() });
  });
});
