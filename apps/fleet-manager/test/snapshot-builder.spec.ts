import { randomUUID } from 'node:crypto';
import { createEvent } from '@envoy-fleet/domain';
import { silentLogger } from '@envoy-fleet/messaging';
import { EffectiveConfigRepository } from '../src/snapshots/effective-config.repository';
import { SnapshotBuilder, servingKeyOfVersion } from '../src/snapshots/snapshot-builder';
import { configDocument, listener, webConfig } from './envoy-config.fixtures';
import { FleetRecords } from './fleet-records';
import { openSnapshotServices, type SnapshotServices } from './snapshot-services';

describe(SnapshotBuilder.name, () => {
  let services: SnapshotServices;
  let records: FleetRecords;
  let sut: SnapshotBuilder;
  let edge: string;
  let web: string;
  let webV1: string;
  let euProxy: string;

  const pointerOf = async (nodeId: string): Promise<string | undefined> =>
    (await services.store.getPointers('proxy', [nodeId])).get(nodeId);
  const keyOf = (versionId: string): string => servingKeyOfVersion(records.tenantId, versionId);

  beforeAll(async () => {
    services = await openSnapshotServices('fleet-manager-snapshots');
    records = await FleetRecords.forNewTenant(services.systemDataSource);
    sut = new SnapshotBuilder({
      configs: new EffectiveConfigRepository(services.systemDataSource),
      store: services.store,
      events: services.bus,
      logger: silentLogger,
    });
    edge = await records.group('edge');
    await records.proxy('edge-1', edge);
    await records.proxy('edge-2', edge);
    web = await records.config('web');
    webV1 = await records.version(web, webConfig('api'));
    await records.bindGroup(edge, web);
  });

  afterAll(async () => {
    await services.dispose();
  });

  it('serves a version bound to a group to every proxy of the group, from one serving key and one set of blobs', async () => {
    const report = await sut.execute({ tenantId: records.tenantId });

    expect(report).toEqual({
      published: [keyOf(webV1)],
      repointed: ['edge-1', 'edge-2'],
      removed: [],
      rejected: [],
      unbound: [],
    });
    expect(await pointerOf('edge-1')).toBe(keyOf(webV1));
    expect(await pointerOf('edge-2')).toBe(keyOf(webV1));
    const manifest = await services.manifestOf('edge-1');
    expect(await services.manifestOf('edge-2')).toEqual(manifest);
    const names = Object.fromEntries(
      Object.entries(manifest?.types ?? {}).map(([typeUrl, type]) => [
        typeUrl.split('.').pop(),
        Object.keys(type.resources),
      ]),
    );
    expect(names).toEqual({
      Cluster: ['api'],
      ClusterLoadAssignment: ['api'],
      Listener: ['http'],
      RouteConfiguration: ['web'],
      Secret: [],
    });
    const hashes = Object.values(manifest?.types ?? {}).flatMap((type) => Object.values(type.resources));
    expect((await services.store.getBlobs('res', hashes)).size).toBe(hashes.length);
  });

  it('writes nothing when the same versions are built again', async () => {
    const report = await sut.execute({ tenantId: records.tenantId });

    expect(report).toEqual({ published: [], repointed: [], removed: [], rejected: [], unbound: [] });
  });

  it('publishes a version again when its manifest was lost while its pointer stayed', async () => {
    await services.dropManifests();

    const report = await sut.execute({ tenantId: records.tenantId });

    expect(report.published).toEqual([keyOf(webV1)]);
    expect(await services.manifestOf('edge-1')).toBeDefined();
  });

  it('resolves a child group through its nearest ancestor, over a label selector, under an instance binding', async () => {
    const edgeEu = await records.group('edge-eu', edge);
    euProxy = await records.proxy('eu-1', edgeEu, { tier: 'gold' });
    await records.proxy('eu-2', edgeEu, { tier: 'gold' });
    await records.proxy('lab-1', await records.group('lab'), { tier: 'gold' });
    await records.proxy('idle-1', await records.group('idle'));
    const canary = await records.config('canary');
    const canaryV1 = await records.version(canary, webConfig('canary-api'));
    const gold = await records.config('gold');
    const goldV1 = await records.version(gold, webConfig('gold-api'));
    await records.bindInstance(euProxy, canary);
    await records.bindLabels({ tier: 'gold' }, gold);

    const report = await sut.execute({ tenantId: records.tenantId });

    expect(report.unbound).toEqual(['idle-1']);
    expect(await pointerOf('eu-1')).toBe(keyOf(canaryV1));
    expect(await pointerOf('eu-2')).toBe(keyOf(webV1));
    expect(await pointerOf('lab-1')).toBe(keyOf(goldV1));
    expect(await pointerOf('idle-1')).toBeUndefined();
  });

  it('never publishes an inconsistent version: its proxies keep their snapshot', async () => {
    const before = await services.manifestOf('edge-1');
    const broken = await records.version(
      web,
      configDocument({ listener: [listener('http', 10000, 'missing-routes')] }),
    );

    const report = await sut.execute({ tenantId: records.tenantId });

    expect(report.rejected).toEqual([
      {
        source: `config ${web} version 2`,
        nodeIds: expect.arrayContaining(['edge-1', 'edge-2', 'eu-2']) as unknown,
        issues: ['listener "http" uses route configuration "missing-routes", which is not defined'],
      },
    ]);
    expect(await services.store.getPointers('serving', [keyOf(broken)])).toEqual(new Map());
    expect(await pointerOf('edge-1')).toBe(keyOf(webV1));
    expect(await services.manifestOf('edge-1')).toEqual(before);
  });

  it('rebuilds when a config.version.created event arrives, and announces the serving keys', async () => {
    const fixed = await records.version(web, webConfig('api-v3'));
    let announce: (servingKeys: string[]) => void = () => undefined;
    const announced = new Promise<string[]>((resolve) => (announce = resolve));
    const listening = await services.bus.subscribe('snapshot.updated', (event) => {
      if (event.payload.servingKeys.includes(keyOf(fixed))) announce(event.payload.servingKeys);
      return Promise.resolve();
    });
    const consumer = await services.consumeTriggers(sut);

    await services.bus.publish(
      createEvent('config.version.created', {
        id: randomUUID(),
        tenantId: records.tenantId,
        aggregateId: web,
        payload: { configId: web, versionId: fixed, version: 3, contentHash: '0'.repeat(64) },
      }),
    );
    const servingKeys = await announced;
    await consumer.stop();
    await listening.stop();

    expect(servingKeys).toEqual(expect.arrayContaining([keyOf(fixed), keyOf(webV1)]));
    expect(await pointerOf('edge-1')).toBe(keyOf(fixed));
    expect(await pointerOf('eu-2')).toBe(keyOf(fixed));
  });

  it('drops the pointer of a deleted proxy when proxy.changed says so, and names the key it left', async () => {
    const left = await pointerOf('eu-1');
    await records.deleteProxy(euProxy);
    let announce: (servingKeys: string[]) => void = () => undefined;
    const announced = new Promise<string[]>((resolve) => (announce = resolve));
    const listening = await services.bus.subscribe('snapshot.updated', (event) => {
      announce(event.payload.servingKeys);
      return Promise.resolve();
    });
    const consumer = await services.consumeTriggers(sut);

    await services.bus.publish(
      createEvent('proxy.changed', {
        id: randomUUID(),
        tenantId: records.tenantId,
        aggregateId: euProxy,
        payload: { proxyId: euProxy, nodeId: 'eu-1', change: 'deleted' },
      }),
    );
    const servingKeys = await announced;
    await consumer.stop();
    await listening.stop();

    expect(servingKeys).toEqual([left]);
    expect(await pointerOf('eu-1')).toBeUndefined();
  });

  it("restores a proxy's lost pointer when proxy.reload.requested arrives", async () => {
    const proxyId = await records.proxy('edge-reload', edge);
    await sut.execute({ tenantId: records.tenantId });
    const served = await pointerOf('edge-reload');
    await services.store.deletePointers('proxy', ['edge-reload']);
    let announce: (servingKeys: string[]) => void = () => undefined;
    const announced = new Promise<string[]>((resolve) => (announce = resolve));
    const listening = await services.bus.subscribe('snapshot.updated', (event) => {
      announce(event.payload.servingKeys);
      return Promise.resolve();
    });
    const consumer = await services.consumeTriggers(sut);

    await services.bus.publish(
      createEvent('proxy.reload.requested', {
        id: randomUUID(),
        tenantId: records.tenantId,
        aggregateId: proxyId,
        payload: { proxyId, nodeId: 'edge-reload' },
      }),
    );
    const servingKeys = await announced;
    await consumer.stop();
    await listening.stop();

    expect(served).toBeDefined();
    expect(servingKeys).toEqual([served]);
    expect(await pointerOf('edge-reload')).toBe(served);
  });
});
