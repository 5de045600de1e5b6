import { randomUUID } from 'node:crypto';
import { createEvent } from '@envoy-fleet/domain';
import { type RunningApp } from '@envoy-fleet/telemetry';
import { freePort } from '@envoy-fleet/test-kit/net';
import { typeUrlOf } from '@envoy-fleet/xds';
import { bootstrap } from '../src/bootstrap';
import { webConfig } from './envoy-config.fixtures';
import { FleetRecords } from './fleet-records';
import { openSnapshotServices, type SnapshotServices } from './snapshot-services';

const SERVICE = '{service="fleet-manager"}';

/** The samples of a metric in Prometheus' text format, by their label set. */
function samples(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (match !== null) found.set(match[1] ?? '', Number(match[2]));
  }
  return found;
}

describe('fleet-manager snapshot and delivery metrics', () => {
  let services: SnapshotServices;
  let records: FleetRecords;
  let app: RunningApp;

  const report = (type: 'proxy.ack' | 'proxy.nack', typeUrl: string, version = 'v1') =>
    services.bus.publish(
      type === 'proxy.ack'
        ? createEvent('proxy.ack', {
            id: randomUUID(),
            tenantId: records.tenantId,
            aggregateId: 'edge-1',
            payload: { nodeId: 'edge-1', typeUrl, version, nonce: randomUUID() },
          })
        : createEvent('proxy.nack', {
            id: randomUUID(),
            tenantId: records.tenantId,
            aggregateId: 'edge-1',
            payload: {
              nodeId: 'edge-1',
              typeUrl,
              version: 'v2',
              nonce: randomUUID(),
              errorDetail: 'rejected',
            },
          }),
    );
  const recorded = async (): Promise<number> => {
    const [row] = await services.systemDataSource.query<{ count: number }[]>(
      'SELECT count(*)::int AS count FROM config_history',
    );
    return row?.count ?? 0;
  };

  beforeAll(async () => {
    services = await openSnapshotServices('fleet-manager-metrics');
    records = await FleetRecords.forNewTenant(services.systemDataSource);
    const edge = await records.group('edge');
    await records.proxy('edge-1', edge);
    const web = await records.config('web');
    await records.version(web, webConfig('api'));
    await records.bindGroup(edge, web);
    app = await bootstrap({
      env: {
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: await freePort(),
        LOG_LEVEL: 'error',
        DATABASE_URL: services.database.appUrl,
        DATABASE_SYSTEM_URL: services.database.systemUrl,
      },
      adapters: { bus: services.bus, snapshotStore: services.store },
    });
  });

  afterAll(async () => {
    await app.close();
    await services.dispose();
  });

  it('times the start-up build, sizes the snapshot it published and counts the ACKs and NACKs it records', async () => {
    await report('proxy.ack', typeUrlOf('listener'));
    await report('proxy.ack', typeUrlOf('cluster'));
    await report('proxy.nack', typeUrlOf('listener'));
    while ((await recorded()) < 3) await new Promise((resolve) => setTimeout(resolve, 50));

    const text = await (await fetch(`${app.url}/metrics`)).text();

    expect(samples(text, 'envoy_fleet_xds_responses_total')).toEqual(
      new Map([
        ['{type="listener",result="ack",service="fleet-manager"}', 1],
        ['{type="cluster",result="ack",service="fleet-manager"}', 1],
        ['{type="listener",result="nack",service="fleet-manager"}', 1],
      ]),
    );
    expect(
      samples(text, 'envoy_fleet_snapshot_build_duration_seconds_count').get(
        '{service="fleet-manager",scope="all"}',
      ),
    ).toBe(1);
    expect(samples(text, 'envoy_fleet_snapshot_size_bytes_count').get(SERVICE)).toBe(1);
    expect(samples(text, 'envoy_fleet_snapshot_size_bytes_sum').get(SERVICE)).toBeGreaterThan(0);
  });

  it('observes the time from the announcement of the snapshot a proxy is pointed at to its ACK of it', async () => {
    const listener = typeUrlOf('listener');
    const served = (await services.manifestOf('edge-1'))?.types[listener]?.version ?? '';
    const before = await recorded();
    await report('proxy.ack', listener, served);
    while ((await recorded()) <= before) await new Promise((resolve) => setTimeout(resolve, 50));

    const text = await (await fetch(`${app.url}/metrics`)).text();

    expect(served).not.toBe('');
    expect(samples(text, 'envoy_fleet_config_push_duration_seconds_count')).toEqual(
      new Map([['{service="fleet-manager",type="listener"}', 1]]),
    );
  });
});
