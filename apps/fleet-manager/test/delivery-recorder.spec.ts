import { randomUUID } from 'node:crypto';
import { createDataSource } from '@envoy-fleet/db';
import { type BatchedProxyReport, createEvent, type ProxyReportEvent } from '@envoy-fleet/domain';
import { type EventOf, silentLogger } from '@envoy-fleet/messaging';
import { publishSnapshot } from '@envoy-fleet/snapshot-store';
import { typeUrlOf } from '@envoy-fleet/xds';
import { type DataSource } from 'typeorm';
import { DeliveryRecorder } from '../src/deliveries/delivery-recorder';
import { ServedSnapshots } from '../src/deliveries/served-snapshots';
import { servingKeyOfVersion } from '../src/snapshots/snapshot-builder';
import { webConfig } from './envoy-config.fixtures';
import { FleetRecords } from './fleet-records';
import { openSnapshotServices, type SnapshotServices } from './snapshot-services';

const LISTENER = typeUrlOf('listener');
const ROUTE = typeUrlOf('route');
const WINDOW_MS = 5_000;

interface HistoryRow {
  resource_type: string;
  xds_version: string;
  status: string;
  config_version_id: string | null;
  error_detail: { message: string } | null;
}

describe(DeliveryRecorder.name, () => {
  let services: SnapshotServices;
  let appDataSource: DataSource;
  let records: FleetRecords;
  let sut: DeliveryRecorder;
  let versionId: string;
  let listenerVersion: string;
  let routeVersion: string;
  let proxyId: string;

  let ownerDataSource: DataSource;
  /** As the table owner, past row-level security: to look at what was recorded. */
  const sql = <T>(text: string, parameters: unknown[] = []): Promise<T[]> =>
    ownerDataSource.query<T[]>(text, parameters);
  const report = (
    init: { type: ProxyReportEvent['type']; payload: ProxyReportEvent['payload'] },
    secondsAgo = 0,
  ): ProxyReportEvent =>
    createEvent(init.type, {
      id: randomUUID(),
      tenantId: records.tenantId,
      aggregateId: 'edge-1',
      payload: init.payload,
      occurredAt: new Date(Date.now() - secondsAgo * 1000),
    }) as ProxyReportEvent;
  const ack = (typeUrl: string, version: string, secondsAgo = 0) =>
    report(
      { type: 'proxy.ack', payload: { nodeId: 'edge-1', typeUrl, version, nonce: randomUUID() } },
      secondsAgo,
    );
  const nack = (typeUrl: string, version: string, secondsAgo = 0) =>
    report(
      {
        type: 'proxy.nack',
        payload: {
          nodeId: 'edge-1',
          typeUrl,
          version,
          nonce: randomUUID(),
          errorDetail: "Didn't find a registered implementation for 'envoy.filters.http.lua'",
        },
      },
      secondsAgo,
    );
  const batchOf = (reports: ProxyReportEvent[]): EventOf<'proxy.reports'> =>
    createEvent('proxy.reports', {
      id: randomUUID(),
      tenantId: records.tenantId,
      aggregateId: 'xds-a',
      payload: {
        xdsReplica: 'xds-a',
        reports: reports.map(
          (each) =>
            ({
              id: each.id,
              type: each.type,
              occurredAt: each.occurredAt,
              payload: each.payload,
            }) as BatchedProxyReport,
        ),
      },
    });
  const history = () =>
    sql<HistoryRow>(
      `SELECT resource_type, xds_version, status, config_version_id, error_detail FROM config_history
       WHERE proxy_id = $1 ORDER BY responded_at`,
      [proxyId],
    );
  const statuses = async () =>
    (
      await sql<{ listener: string; route: string; connected: boolean; replica: string | null }>(
        `SELECT listener_sync_status AS listener, route_config_sync_status AS route,
           xds_connected AS connected, xds_replica AS replica FROM proxies WHERE id = $1`,
        [proxyId],
      )
    )[0];
  const announced = () =>
    sql<{ payload: { resourceType: string; status: string; errorDetail: string | null } }>(
      `SELECT payload FROM outbox WHERE type = 'proxy.sync.changed' ORDER BY occurred_at, id`,
    );

  beforeAll(async () => {
    services = await openSnapshotServices('delivery-recorder');
    appDataSource = await createDataSource({ url: services.database.appUrl }).initialize();
    ownerDataSource = await createDataSource({ url: services.database.adminUrl }).initialize();
    records = await FleetRecords.forNewTenant(services.systemDataSource);
    proxyId = await records.proxy('edge-1', await records.group('edge'));
    versionId = await records.version(await records.config('web'), webConfig('api'));
    const published = await publishSnapshot(services.store, {
      servingKey: servingKeyOfVersion(records.tenantId, versionId),
      resources: {
        listener: [{ name: 'http', bytes: Buffer.from('listener v1') }],
        route: [{ name: 'web', bytes: Buffer.from('route v1') }],
      },
      proxies: ['edge-1'],
    });
    listenerVersion = published.manifest.types[LISTENER]?.version ?? '';
    routeVersion = published.manifest.types[ROUTE]?.version ?? '';
    sut = new DeliveryRecorder({
      dataSource: appDataSource,
      systemDataSource: services.systemDataSource,
      served: new ServedSnapshots(services.store),
      transientWindowMs: WINDOW_MS,
      logger: silentLogger,
    });
  });

  afterAll(async () => {
    await appDataSource.destroy();
    await ownerDataSource.destroy();
    await services.dispose();
  });

  beforeEach(async () => {
    await sql(`DELETE FROM config_history`);
    await sql(`DELETE FROM outbox`);
  });

  it('records an ACK once, tied to the config version of the served snapshot, and marks the type SYNCED', async () => {
    const event = ack(LISTENER, listenerVersion);

    await sut.record(event);
    await sut.record(event);

    expect(await history()).toEqual([
      {
        resource_type: 'listener',
        xds_version: listenerVersion,
        status: 'acked',
        config_version_id: versionId,
        error_detail: null,
      },
    ]);
    expect((await statuses())?.listener).toBe('SYNCED');
    expect((await announced()).map(({ payload }) => [payload.resourceType, payload.status])).toEqual([
      ['listener', 'SYNCED'],
    ]);
  });

  it('marks STALE an ACK of a version the proxy is no longer served', async () => {
    await sut.record(ack(ROUTE, 'an-older-version'));

    expect((await statuses())?.route).toBe('STALE');
    expect((await history())[0]?.config_version_id).toBeNull();
  });

  it('records a NACK cleared by an ACK of the same version within the window as transient, and announces no NACK', async () => {
    await sut.record(nack(ROUTE, routeVersion, 1));
    expect((await statuses())?.route).toBe('NACKED');
    await sut.record(ack(ROUTE, routeVersion));

    expect(await sut.settleNacks()).toBe(0);
    expect((await history()).map((row) => row.status)).toEqual(['transient', 'acked']);
    expect((await statuses())?.route).toBe('SYNCED');
    expect((await announced()).map(({ payload }) => payload.status)).toEqual(['SYNCED']);
  });

  it('announces a NACK that outlasted the window with Envoy’s message, once', async () => {
    await sut.record(nack(ROUTE, routeVersion, WINDOW_MS / 1000 + 5));

    expect(await sut.settleNacks()).toBe(1);
    expect(await sut.settleNacks()).toBe(0);
    expect((await statuses())?.route).toBe('NACKED');
    const [row] = await history();
    expect(row).toMatchObject({ status: 'nacked', config_version_id: versionId });
    expect(row?.error_detail?.message).toBe(
      "Didn't find a registered implementation for 'envoy.filters.http.lua'",
    );
    expect((await announced()).map(({ payload }) => payload)).toEqual([
      expect.objectContaining({
        resourceType: 'route_config',
        status: 'NACKED',
        errorDetail: "Didn't find a registered implementation for 'envoy.filters.http.lua'",
      }),
    ]);
  });

  it('keeps the newer status when an older report arrives late', async () => {
    await sut.record(nack(LISTENER, listenerVersion, 1));
    await sut.record(ack(LISTENER, listenerVersion, 30));

    expect((await statuses())?.listener).toBe('NACKED');
    expect(await history()).toHaveLength(2);
  });

  it('records connections, and ignores a disconnect from a replica the proxy already left', async () => {
    const connection = (
      type: 'proxy.connected' | 'proxy.disconnected',
      replica: string,
      secondsAgo: number,
    ) => report({ type, payload: { nodeId: 'edge-1', xdsReplica: replica } }, secondsAgo);

    await sut.record(connection('proxy.connected', 'xds-a', 30));
    await sut.record(connection('proxy.connected', 'xds-b', 20));
    await sut.record(connection('proxy.disconnected', 'xds-a', 10));
    expect(await statuses()).toMatchObject({ connected: true, replica: 'xds-b' });

    await sut.record(connection('proxy.disconnected', 'xds-b', 5));
    expect(await statuses()).toMatchObject({ connected: false, replica: 'xds-b' });
  });

  describe('batches of ACKs and NACKs', () => {
    it('records the ACKs of 500 proxies in one transaction, each tied to its config version and SYNCED', async () => {
      const group = await records.group('bulk');
      const nodeIds = Array.from({ length: 500 }, (_, index) => `bulk-${index}`);
      for (const nodeId of nodeIds) await records.proxy(nodeId, group);
      await publishSnapshot(services.store, {
        servingKey: servingKeyOfVersion(records.tenantId, versionId),
        resources: {
          listener: [{ name: 'http', bytes: Buffer.from('listener v1') }],
          route: [{ name: 'web', bytes: Buffer.from('route v1') }],
        },
        proxies: nodeIds,
      });
      const batch = batchOf(
        nodeIds.map((nodeId) =>
          createEvent('proxy.ack', {
            id: randomUUID(),
            tenantId: records.tenantId,
            aggregateId: nodeId,
            payload: { nodeId, typeUrl: LISTENER, version: listenerVersion, nonce: '1' },
          }),
        ),
      );

      const started = performance.now();
      await sut.record(batch);
      process.stdout.write(
        `recorded a batch of 500 ACKs in ${(performance.now() - started).toFixed(0)} ms\n`,
      );

      const [recorded] = await sql<{
        rows: number;
        transactions: number;
        versions: string[];
        synced: number;
      }>(
        `SELECT count(*)::int AS rows, count(DISTINCT h.xmin::text)::int AS transactions,
           array_agg(DISTINCT h.config_version_id::text) AS versions,
           count(*) FILTER (WHERE p.listener_sync_status = 'SYNCED')::int AS synced
         FROM config_history h JOIN proxies p ON p.id = h.proxy_id
         WHERE p.node_id LIKE 'bulk-%' AND h.status = 'acked'`,
      );
      expect(recorded).toEqual({ rows: 500, transactions: 1, versions: [versionId], synced: 500 });
      expect(await announced()).toHaveLength(500);
    });

    it('keeps the newer report of a proxy and type when the batch holds an older one after it', async () => {
      await sut.record(batchOf([ack(LISTENER, listenerVersion, 1), nack(LISTENER, 'an-older-version', 30)]));

      expect((await statuses())?.listener).toBe('SYNCED');
      expect((await history()).map((row) => row.status)).toEqual(['nacked', 'acked']);
      expect((await announced()).map(({ payload }) => payload.status)).toEqual(['SYNCED']);
    });

    it('records nothing twice when a batch is delivered again', async () => {
      const batch = batchOf([nack(ROUTE, 'a-broken-version', 2), ack(LISTENER, listenerVersion, 1)]);

      await sut.record(batch);
      await sut.record(batch);

      expect((await history()).map((row) => row.status)).toEqual(['nacked', 'acked']);
      expect(await statuses()).toMatchObject({ listener: 'SYNCED', route: 'NACKED' });
      expect(await announced()).toHaveLength(1);
    });

    it('records a NACK cleared by an ACK of the same version later in the batch as transient', async () => {
      await sut.record(batchOf([nack(ROUTE, routeVersion, 1), ack(ROUTE, routeVersion)]));

      expect(await sut.settleNacks()).toBe(0);
      expect((await history()).map((row) => row.status)).toEqual(['transient', 'acked']);
      expect((await statuses())?.route).toBe('SYNCED');
      expect((await announced()).map(({ payload }) => payload.status)).toEqual(['SYNCED']);
    });

    it('keeps a NACK that follows an ACK of the same version in the batch', async () => {
      await sut.record(batchOf([ack(ROUTE, routeVersion, 1), nack(ROUTE, routeVersion)]));

      expect((await history()).map((row) => row.status)).toEqual(['acked', 'nacked']);
      expect((await statuses())?.route).toBe('NACKED');
    });
  });

  describe('sends', () => {
    const sent = (typeUrl: string, version: string, nonce: string, secondsAgo = 0) =>
      report({ type: 'proxy.sent', payload: { nodeId: 'edge-1', typeUrl, version, nonce } }, secondsAgo);
    const sends = () =>
      sql<{ resource_type: string; xds_version: string; nonce: string; config_version_id: string | null }>(
        `SELECT resource_type, xds_version, nonce, config_version_id FROM config_history
         WHERE status = 'sent' ORDER BY sent_at, resource_type`,
      );

    beforeEach(async () => {
      await sql(
        `UPDATE proxies SET listener_sync_status = 'NOT_SENT', route_config_sync_status = 'NOT_SENT' WHERE id = $1`,
        [proxyId],
      );
    });

    it('records every send of a batch once, tied to the served config version, marks each type sent STALE until its ACK, and announces it', async () => {
      const listenerAck = {
        ...ack(LISTENER, listenerVersion),
        payload: { nodeId: 'edge-1', typeUrl: LISTENER, version: listenerVersion, nonce: '1' },
      } as ProxyReportEvent;
      const batch = batchOf([
        sent(LISTENER, listenerVersion, '1', 1),
        sent(ROUTE, routeVersion, '2', 1),
        listenerAck,
      ]);

      await sut.record(batch);
      await sut.record(batch);

      expect(await sends()).toEqual([
        { resource_type: 'listener', xds_version: listenerVersion, nonce: '1', config_version_id: versionId },
        {
          resource_type: 'route_config',
          xds_version: routeVersion,
          nonce: '2',
          config_version_id: versionId,
        },
      ]);
      expect(await statuses()).toMatchObject({ listener: 'SYNCED', route: 'STALE' });
      const statusChanges = (await announced()).map(
        ({ payload }) => `${payload.resourceType} ${payload.status}`,
      );
      expect(statusChanges.sort()).toEqual(['listener STALE', 'listener SYNCED', 'route_config STALE']);
    });

    it('leaves a type answered after the send alone when the send is recorded late', async () => {
      await sut.record(ack(ROUTE, routeVersion));

      await sut.record(batchOf([sent(ROUTE, routeVersion, '7', 1)]));

      expect(await sends()).toHaveLength(1);
      expect((await statuses())?.route).toBe('SYNCED');
    });

    it('records the sends of many proxies from one batch', async () => {
      const group = await records.group('fleet');
      const nodeIds = Array.from({ length: 200 }, (_, index) => `fleet-${index}`);
      for (const nodeId of nodeIds) await records.proxy(nodeId, group);
      const reports = nodeIds.flatMap((nodeId) =>
        [LISTENER, ROUTE].map((typeUrl) =>
          createEvent('proxy.sent', {
            id: randomUUID(),
            tenantId: records.tenantId,
            aggregateId: nodeId,
            payload: { nodeId, typeUrl, version: 'v1', nonce: '1' },
          }),
        ),
      );

      await sut.record(batchOf(reports));

      const [counts] = await sql<{ sends: number; stale: number }>(
        `SELECT (SELECT count(*)::int FROM config_history h JOIN proxies p ON p.id = h.proxy_id
                  WHERE h.status = 'sent' AND p.node_id LIKE 'fleet-%') AS sends,
                (SELECT count(*)::int FROM proxies WHERE node_id LIKE 'fleet-%'
                  AND listener_sync_status = 'STALE' AND route_config_sync_status = 'STALE') AS stale`,
      );
      expect(counts).toEqual({ sends: 400, stale: 200 });
    });
  });

  it('marks STALE, on a reconnection, a SYNCED type whose version the snapshot no longer holds', async () => {
    await sut.record(ack(LISTENER, listenerVersion, 120));
    await sut.record(ack(ROUTE, routeVersion, 120));
    const nextVersion = await records.version(await records.config('web-next'), webConfig('api'));
    await publishSnapshot(services.store, {
      servingKey: servingKeyOfVersion(records.tenantId, nextVersion),
      resources: {
        listener: [{ name: 'http', bytes: Buffer.from('listener v2') }],
        route: [{ name: 'web', bytes: Buffer.from('route v1') }],
      },
      proxies: ['edge-1'],
    });

    await sut.record(report({ type: 'proxy.connected', payload: { nodeId: 'edge-1', xdsReplica: 'xds-c' } }));

    expect(await statuses()).toMatchObject({ listener: 'STALE', route: 'SYNCED', connected: true });
    expect((await announced()).map(({ payload }) => [payload.resourceType, payload.status])).toEqual([
      ['listener', 'SYNCED'],
      ['route_config', 'SYNCED'],
      ['listener', 'STALE'],
    ]);
  });
});
