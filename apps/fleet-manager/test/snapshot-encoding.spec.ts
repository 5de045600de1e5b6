import { silentLogger } from '@envoy-fleet/messaging';
import { type BlobNamespace, type PointerKind, type SnapshotStore } from '@envoy-fleet/snapshot-store';
import { EffectiveConfigRepository } from '../src/snapshots/effective-config.repository';
import { SnapshotBuilder, servingKeyOfVersion } from '../src/snapshots/snapshot-builder';
import { TranslationCache } from '../src/snapshots/translation-cache';
import { assignment, configDocument, edsCluster, listener, routeConfig } from './envoy-config.fixtures';
import { FleetRecords } from './fleet-records';
import { openSnapshotServices, type SnapshotServices } from './snapshot-services';

/** The suite's Redis store, counting the `res:` blobs each build writes (those not stored before). */
class BlobCountingStore implements SnapshotStore {
  resourcesWritten = 0;

  constructor(private readonly store: SnapshotStore) {}

  async putBlobs(namespace: BlobNamespace, blobs: ReadonlyMap<string, Uint8Array>): Promise<number> {
    const written = await this.store.putBlobs(namespace, blobs);
    if (namespace === 'res') this.resourcesWritten += written;
    return written;
  }

  getBlobs(namespace: BlobNamespace, hashes: readonly string[]): Promise<Map<string, Uint8Array>> {
    return this.store.getBlobs(namespace, hashes);
  }

  setPointers(kind: PointerKind, entries: ReadonlyMap<string, string>): Promise<void> {
    return this.store.setPointers(kind, entries);
  }

  getPointers(kind: PointerKind, names: readonly string[]): Promise<Map<string, string>> {
    return this.store.getPointers(kind, names);
  }

  deletePointers(kind: PointerKind, names: readonly string[]): Promise<number> {
    return this.store.deletePointers(kind, names);
  }

  listPointers(kind: PointerKind): AsyncIterable<readonly [string, string]> {
    return this.store.listPointers(kind);
  }

  ping(): Promise<void> {
    return this.store.ping();
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/** A listener and its routes to `api`, the EDS clusters `api` and `db`, and `db`'s endpoints on `dbPort`. */
function twoClusters(dbPort: number) {
  return configDocument({
    listener: [listener('http', 10000, 'web')],
    route_config: [routeConfig('web', 'api')],
    cluster: [edsCluster('api'), edsCluster('db')],
    endpoint: [assignment('api', 8080), assignment('db', dbPort)],
  });
}

describe('snapshot encoding', () => {
  let services: SnapshotServices;
  let records: FleetRecords;
  let store: BlobCountingStore;
  let translations: TranslationCache;
  let sut: SnapshotBuilder;
  let web: string;

  const build = async () => {
    const [translatedBefore, writtenBefore] = [translations.translated, store.resourcesWritten];
    const report = await sut.execute({ tenantId: records.tenantId });
    return {
      report,
      encoded: translations.translated - translatedBefore,
      written: store.resourcesWritten - writtenBefore,
    };
  };

  beforeAll(async () => {
    services = await openSnapshotServices('fleet-manager-snapshot-encoding');
    records = await FleetRecords.forNewTenant(services.systemDataSource);
    store = new BlobCountingStore(services.store);
    translations = new TranslationCache();
    sut = new SnapshotBuilder({
      configs: new EffectiveConfigRepository(services.systemDataSource),
      store,
      events: services.bus,
      logger: silentLogger,
      translations,
    });
    const edge = await records.group('edge');
    for (const nodeId of ['edge-1', 'edge-2', 'edge-3']) await records.proxy(nodeId, edge);
    web = await records.config('web');
    await records.version(web, twoClusters(5432));
    await records.bindGroup(edge, web);
  });

  afterAll(async () => {
    await services.dispose();
  });

  it('encodes and stores each resource of the first version once, for every proxy', async () => {
    const { encoded, written } = await build();

    expect(encoded).toBe(6);
    expect(written).toBe(6);
  });

  it("re-encodes and stores exactly one resource when one cluster's endpoints change", async () => {
    const changed = await records.version(web, twoClusters(5433));

    const { report, encoded, written } = await build();

    expect(report.published).toEqual([servingKeyOfVersion(records.tenantId, changed)]);
    expect(report.repointed).toEqual(expect.arrayContaining(['edge-1', 'edge-2', 'edge-3']));
    expect(encoded).toBe(1);
    expect(written).toBe(1);
    const manifest = await services.manifestOf('edge-1');
    const hashes = Object.values(manifest?.types ?? {}).flatMap((type) => Object.values(type.resources));
    expect((await services.store.getBlobs('res', hashes)).size).toBe(hashes.length);
  });

  it('encodes nothing for a new version whose content was seen before', async () => {
    const reverted = await records.version(web, twoClusters(5432));

    const { report, encoded, written } = await build();

    expect(report.published).toEqual([servingKeyOfVersion(records.tenantId, reverted)]);
    expect(encoded).toBe(0);
    expect(written).toBe(0);
  });

  it('encodes the version again, from PostgreSQL, when Redis was flushed and the cache is new', async () => {
    await services.flushRedis();
    translations = new TranslationCache();
    sut = new SnapshotBuilder({
      configs: new EffectiveConfigRepository(services.systemDataSource),
      store,
      events: services.bus,
      logger: silentLogger,
      translations,
    });

    const { report, encoded, written } = await build();

    expect(report.repointed).toEqual(expect.arrayContaining(['edge-1', 'edge-2', 'edge-3']));
    expect(encoded).toBe(6);
    expect(written).toBe(6);
    expect(await services.manifestOf('edge-1')).toBeDefined();
  });
});
