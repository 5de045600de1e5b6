import { InMemorySnapshotStore } from '../src';
import { snapshotStoreContract } from './snapshot-store.contract';

describe(InMemorySnapshotStore.name, () => {
  snapshotStoreContract(() => Promise.resolve(new InMemorySnapshotStore()));

  it('is not changed by mutating a buffer after writing or reading it', async () => {
    const sut = new InMemorySnapshotStore();
    const written = Buffer.from('original');
    await sut.putBlobs('res', new Map([['h', written]]));
    written.fill(0);
    (await sut.getBlobs('res', ['h'])).get('h')!.fill(0);

    expect(Buffer.from((await sut.getBlobs('res', ['h'])).get('h')!).toString()).toBe('original');
  });
});
