import { setTimeout as sleep } from 'node:timers/promises';
import { WakeSignal } from './wake-signal';

describe(WakeSignal.name, () => {
  it('wakes a waiter', async () => {
    const sut = new WakeSignal();
    const waiting = sut.wait(60_000);

    sut.fire();

    await expect(waiting).resolves.toBeUndefined();
  });

  it('keeps a wake-up that fired before the wait', async () => {
    const sut = new WakeSignal();
    sut.fire();

    await expect(sut.wait(60_000)).resolves.toBeUndefined();
  });

  it('forgets wake-ups once cleared', async () => {
    const sut = new WakeSignal();
    sut.fire();
    sut.clear();

    const waiting = sut.wait(60_000).then(() => 'woken');
    const first = await Promise.race([waiting, sleep(50).then(() => 'still waiting')]);
    sut.fire();

    expect(first).toBe('still waiting');
    await expect(waiting).resolves.toBe('woken');
  });

  it('gives up waiting after the timeout', async () => {
    await expect(new WakeSignal().wait(10)).resolves.toBeUndefined();
  });
});
