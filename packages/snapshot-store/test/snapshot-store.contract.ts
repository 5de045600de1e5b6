import { createHash, randomBytes } from 'node:crypto';
import type { SnapshotStore } from '../src';

/** Content-addressed like the product's blobs: the key is the sha256 of the bytes. */
function blob(bytes: Uint8Array): [string, Uint8Array] {
  return [createHash('sha256').update(bytes).digest('hex'), bytes];
}

async function collect(entries: AsyncIterable<readonly [string, string]>): Promise<Map<string, string>> {
  const collected = new Map<string, string>();
  for await (const [name, value] of entries) {
    expect(collected.has(name)).toBe(false);
    collected.set(name, value);
  }
  return collected;
}

/** The behaviour every SnapshotStore shares; `open` gives a store over an empty key space each call. */
export function snapshotStoreContract(open: () => Promise<SnapshotStore>): void {
  let sut: SnapshotStore;

  beforeEach(async () => {
    sut = await open();
  });

  afterEach(async () => {
    await sut.close();
  });

  it('round-trips blobs and leaves absent hashes out', async () => {
    const [hashA, bytesA] = blob(Buffer.from('listener A'));
    const [hashB, bytesB] = blob(Buffer.from('cluster B'));
    const [absent] = blob(Buffer.from('never stored'));

    expect(await sut.putBlobs('res', new Map([blob(bytesA), blob(bytesB)]))).toBe(2);
    const found = await sut.getBlobs('res', [hashA, absent, hashB]);

    expect([...found.keys()].sort()).toEqual([hashA, hashB].sort());
    expect(Buffer.from(found.get(hashA)!)).toEqual(Buffer.from(bytesA));
    expect(Buffer.from(found.get(hashB)!)).toEqual(Buffer.from(bytesB));
  });

  it('keeps the first content written under a hash', async () => {
    const hash = 'a'.repeat(64);
    await sut.putBlobs('manifest', new Map([[hash, Buffer.from('first')]]));

    const written = await sut.putBlobs('manifest', new Map([[hash, Buffer.from('second')]]));

    expect(written).toBe(0);
    expect(Buffer.from((await sut.getBlobs('manifest', [hash])).get(hash)!).toString()).toBe('first');
  });

  it('keeps resources and manifests apart', async () => {
    const [hash, bytes] = blob(Buffer.from('same hash, other namespace'));
    await sut.putBlobs('res', new Map([[hash, bytes]]));

    expect((await sut.getBlobs('manifest', [hash])).size).toBe(0);
  });

  it('keeps every byte value intact', async () => {
    const everyByte = Uint8Array.from({ length: 256 }, (_, value) => value);
    const backing = new Uint8Array(300);
    backing.set(everyByte, 2);
    const offsetView = backing.subarray(2, 258);
    const [hash] = blob(everyByte);

    await sut.putBlobs('res', new Map([[hash, offsetView]]));

    expect(Buffer.from((await sut.getBlobs('res', [hash])).get(hash)!)).toEqual(Buffer.from(everyByte));
  });

  it('round-trips a batch of 10,000 blobs', async () => {
    const blobs = new Map(Array.from({ length: 10_000 }, () => blob(randomBytes(200))));

    expect(await sut.putBlobs('res', blobs)).toBe(10_000);
    const found = await sut.getBlobs('res', [...blobs.keys()]);

    expect(found.size).toBe(10_000);
    for (const [hash, bytes] of blobs)
      expect(Buffer.from(found.get(hash)!).equals(Buffer.from(bytes))).toBe(true);
  });

  it('sets, moves, reads and deletes pointers', async () => {
    await sut.setPointers(
      'serving',
      new Map([
        ['binding:edge', 'm1'],
        ['binding:api', 'm2'],
      ]),
    );
    await sut.setPointers('serving', new Map([['binding:edge', 'm3']]));

    expect(await sut.getPointers('serving', ['binding:edge', 'binding:api', 'binding:none'])).toEqual(
      new Map([
        ['binding:edge', 'm3'],
        ['binding:api', 'm2'],
      ]),
    );
    expect(await sut.deletePointers('serving', ['binding:api', 'binding:none'])).toBe(1);
    expect(await sut.getPointers('serving', ['binding:api'])).toEqual(new Map());
  });

  it('keeps serving keys and proxy pointers apart', async () => {
    await sut.setPointers('proxy', new Map([['edge-1', 'binding:edge']]));

    expect((await sut.getPointers('serving', ['edge-1'])).size).toBe(0);
    expect(await collect(sut.listPointers('serving'))).toEqual(new Map());
  });

  it('lists every pointer of a kind once, names with glob characters included', async () => {
    const pointers = new Map<string, string>(
      Array.from({ length: 2_500 }, (_, i) => [`node-${i}`, `binding:${i % 7}`]),
    );
    pointers.set('odd*name?[x]', 'binding:odd');
    await sut.setPointers('proxy', pointers);
    await sut.setPointers('serving', new Map([['binding:0', 'm0']]));

    expect(await collect(sut.listPointers('proxy'))).toEqual(pointers);
  });

  it('answers ping while open and fails it once closed', async () => {
    await expect(sut.ping()).resolves.toBeUndefined();
    await sut.close();
    await expect(sut.ping()).rejects.toThrow();
  });
}
