import { type MessagingLogger } from '@envoy-fleet/messaging';
import { PeriodicTask } from './periodic-task';

const logger = (): MessagingLogger & { errors: string[] } => {
  const errors: string[] = [];
  return {
    errors,
    info: () => undefined,
    warn: () => undefined,
    error: (_, message) => errors.push(message),
  };
};

describe(PeriodicTask.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs one round per interval, never two at once, and stop waits for the round in progress', async () => {
    let running = 0;
    let overlapped = false;
    let rounds = 0;
    let release: () => void = () => undefined;
    const sut = new PeriodicTask({
      name: 'check',
      intervalMs: 100,
      logger: logger(),
      run: async () => {
        running += 1;
        overlapped ||= running > 1;
        await new Promise<void>((resolve) => (release = resolve));
        running -= 1;
        rounds += 1;
      },
    }).start();

    await jest.advanceTimersByTimeAsync(350);
    const stopped = sut.stop();
    release();
    await jest.advanceTimersByTimeAsync(0);
    release();
    await jest.advanceTimersByTimeAsync(0);
    release();
    await stopped;

    expect(overlapped).toBe(false);
    expect(rounds).toBe(3);
  });

  it('logs a failed round and runs the next one', async () => {
    const log = logger();
    let rounds = 0;
    const sut = new PeriodicTask({
      name: 'drift check',
      intervalMs: 100,
      logger: log,
      run: () => {
        rounds += 1;
        return rounds === 1 ? Promise.reject(new Error('down')) : Promise.resolve();
      },
    }).start();

    await jest.advanceTimersByTimeAsync(250);
    await sut.stop();

    expect(rounds).toBe(2);
    expect(log.errors).toEqual(['drift check failed; retried at the next interval']);
  });
});
