import { randomUUID } from 'node:crypto';
import { createDataSource } from '@envoy-fleet/db';
import { createEvent } from '@envoy-fleet/domain';
import { silentLogger } from '@envoy-fleet/messaging';
import { publishSnapshot } from '@envoy-fleet/snapshot-store';
import { typeUrlOf } from '@envoy-fleet/xds';
import { Registry } from 'prom-client';
import { type DataSource } from 'typeorm';
import { DeliveryRecorder } from '../src/deliveries/delivery-recorder';
import { ServedSnapshots } from '../src/deliveries/served-snapshots';
import { DriftMonitor } from '../src/drift/drift-monitor';
import { countFleet, FleetMetrics } from '../src/scheduling/fleet-metrics';
import { servingKeyOfVersion } from '../src/snapshots/snapshot-builder';
import { webConfig } from './envoy-config.fixtures';
import { FleetRecords } from './fleet-records';
import { openSnapshotServices, type SnapshotServices } from './snapshot-services';

const LISTENER = typeUrlOf('listener');
const ROUTE = typeUrlOf('route');
const THRESHOLD_MS = 60_000;

describe(DriftMonitor.name, () => {
  let services: SnapshotServices;
  let appDataSource: DataSource;
  let ownerDataSource: DataSource;
  let records: FleetRecords;
  let recorder: DeliveryRecorder;
  let registry: Registry;
  let sut: DriftMonitor;
  let proxyId: string;

  const sql = <T>(text: string, parameters: unknown[] = []): Promise<T[]> =>
    ownerDataSource.query<T[]>(text, parameters);
  const publish = async (route: string) => {
    const published = await publishSnapshot(services.store, {
      servingKey: servingKeyOfVersion(records.tenantId, randomUUID()),
      resources: {
        listener: [{ name: 'http', bytes: Buffer.from('listener v1') }],
        route: [{ name: 'web', bytes: Buffer.from(route) }],
      },
      proxies: ['edge-1'],
    });
    const versionOf = (typeUrl: string) => published.manifest.types[typeUrl]?.version ?? '';
    return { listener: versionOf(LISTENER), route: versionOf(ROUTE) };
  };
  const ack = (typeUrl: string, version: string) =>
    recorder.record(
      createEvent('proxy.ack', {
        id: randomUUID(),
        tenantId: records.tenantId,
        aggregateId: 'edge-1',
        payload: { nodeId: 'edge-1', typeUrl, version, nonce: randomUUID() },
      }),
    );
  const drift = async () =>
    (
      await sql<{ drift: unknown; observed: boolean; drifted: boolean }>(
        `SELECT drift, drift_observed_at IS NOT NULL AS observed, drifted_at IS NOT NULL AS drifted
         FROM proxies WHERE id = $1`,
        [proxyId],
      )
    )[0];
  const announced = async () =>
    (
      await sql<{ payload: unknown }>(
        `SELECT payload FROM outbox WHERE type = 'proxy.drift.changed' ORDER BY occurred_at, id`,
      )
    ).map((row) => row.payload);
  const gauge = async () => (await registry.getSingleMetric('envoy_fleet_drifted_instances')?.get())?.values;

  beforeAll(async () => {
    services = await openSnapshotServices('drift-monitor');
    appDataSource = await createDataSource({ url: services.database.appUrl }).initialize();
    ownerDataSource = await createDataSource({ url: services.database.adminUrl }).initialize();
    records = await FleetRecords.forNewTenant(services.systemDataSource);
    proxyId = await records.proxy('edge-1', await records.group('edge'));
    await records.version(await records.config('web'), webConfig('api'));
    recorder = new DeliveryRecorder({
      dataSource: appDataSource,
      systemDataSource: services.systemDataSource,
      served: new ServedSnapshots(services.store),
      transientWindowMs: 5_000,
      logger: silentLogger,
    });
    registry = new Registry();
    sut = new DriftMonitor({
      systemDataSource: services.systemDataSource,
      store: services.store,
      thresholdMs: THRESHOLD_MS,
      logger: silentLogger,
    });
    new FleetMetrics(registry, () => countFleet(services.systemDataSource));
  });

  afterAll(async () => {
    await appDataSource.destroy();
    await ownerDataSource.destroy();
    await services.dispose();
  });

  it('reports a proxy whose ACKed route outlasted the threshold behind its snapshot as drifted, and clears it once it converges', async () => {
    const first = await publish('route v1');
    await ack(LISTENER, first.listener);
    await ack(ROUTE, first.route);
    expect(await sut.execute()).toEqual({ drifted: [], converged: [] });
    expect(await drift()).toEqual({ drift: null, observed: false, drifted: false });

    const second = await publish('route v2');
    expect(await sut.execute()).toEqual({ drifted: [], converged: [] });
    const routeDrift = [
      { resourceType: 'route_config', ackedVersion: first.route, expectedVersion: second.route },
    ];
    expect(await drift()).toEqual({ drift: routeDrift, observed: true, drifted: false });
    expect(await announced()).toEqual([]);

    await sql(`UPDATE proxies SET drift_observed_at = now() - interval '2 minutes' WHERE id = $1`, [proxyId]);
    expect(await sut.execute()).toEqual({ drifted: ['edge-1'], converged: [] });
    expect(await drift()).toEqual({ drift: routeDrift, observed: true, drifted: true });
    expect(await gauge()).toEqual([expect.objectContaining({ value: 1 })]);
    expect(await sut.execute()).toEqual({ drifted: [], converged: [] });

    await ack(ROUTE, second.route);
    expect(await sut.execute()).toEqual({ drifted: [], converged: ['edge-1'] });
    expect(await drift()).toEqual({ drift: null, observed: false, drifted: false });
    expect(await gauge()).toEqual([expect.objectContaining({ value: 0 })]);
    expect(await announced()).toEqual([
      { proxyId, nodeId: 'edge-1', drifted: true, resourceTypes: ['route_config'] },
      { proxyId, nodeId: 'edge-1', drifted: false, resourceTypes: [] },
    ]);
  });

  it('skips the check while another replica holds its lock', async () => {
    const runner = ownerDataSource.createQueryRunner();
    await runner.startTransaction();
    try {
      await runner.query(`SELECT pg_advisory_xact_lock(hashtextextended('fleet-manager:drift-check', 0))`);
      expect(await sut.execute()).toBeUndefined();
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    expect(await sut.execute()).toEqual({ drifted: [], converged: [] });
  });
});
