import { InitialPushGate, StreamLimit } from './admission';

describe(InitialPushGate.name, () => {
  it('lets `concurrency` callers in and the others in arrival order as each releases', async () => {
    const sut = new InitialPushGate(2);
    const entered: string[] = [];
    const enter = (name: string) => sut.enter().then((release) => (entered.push(name), release));

    const first = await enter('a');
    await enter('b');
    const third = enter('c');
    const fourth = enter('d');
    await Promise.resolve();
    expect(entered).toEqual(['a', 'b']);
    expect(sut.queued).toBe(2);

    first();
    first();
    await third;
    expect(entered).toEqual(['a', 'b', 'c']);
    expect(sut.queued).toBe(1);
    (await third)();
    await fourth;
    expect(entered).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe(StreamLimit.name, () => {
  it('refuses beyond its maximum and admits again after a release', () => {
    const sut = new StreamLimit(1);

    expect(sut.tryAcquire()).toBe(true);
    expect(sut.tryAcquire()).toBe(false);
    sut.release();
    expect(sut.tryAcquire()).toBe(true);
  });
});
