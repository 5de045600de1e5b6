import { KeyedMutex } from './keyed-mutex';

describe(KeyedMutex.name, () => {
  it('runs the tasks of one key in turn, even after a failure, and other keys alongside', async () => {
    const sut = new KeyedMutex();
    const order: string[] = [];
    let releaseFirst: () => void = () => undefined;
    const first = sut.run('a', async () => {
      order.push('a1 start');
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      order.push('a1 end');
      throw new Error('a1 failed');
    });
    const second = sut.run('a', () => {
      order.push('a2');
      return Promise.resolve(2);
    });
    const other = sut.run('b', () => {
      order.push('b1');
      return Promise.resolve(3);
    });

    await other;
    releaseFirst();

    await expect(first).rejects.toThrow('a1 failed');
    await expect(second).resolves.toBe(2);
    expect(order).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
  });
});
