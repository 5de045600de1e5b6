import { type RunningApp } from '@envoy-fleet/telemetry';
import { freePort } from '@envoy-fleet/test-kit/net';
import { bootstrap } from '../src/bootstrap';
import { webConfig } from './envoy-config.fixtures';
import { FleetRecords } from './fleet-records';
import { openSnapshotServices, type SnapshotServices } from './snapshot-services';

describe('fleet-manager start-up', () => {
  let services: SnapshotServices;

  const start = async (): Promise<RunningApp> =>
    bootstrap({
      env: {
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: await freePort(),
        LOG_LEVEL: 'error',
        DATABASE_URL: services.database.appUrl,
        DATABASE_SYSTEM_URL: services.database.systemUrl,
      },
      adapters: { bus: services.bus, snapshotStore: services.store },
    });

  beforeAll(async () => {
    services = await openSnapshotServices('fleet-manager-recovery');
    const records = await FleetRecords.forNewTenant(services.systemDataSource);
    const edge = await records.group('edge');
    await records.proxy('edge-1', edge);
    const web = await records.config('web');
    await records.version(web, webConfig('api'));
    await records.bindGroup(edge, web);
  });

  afterAll(async () => {
    await services.dispose();
  });

  it('rebuilds a flushed Redis from PostgreSQL before it reports ready, without proxies deleted meanwhile', async () => {
    const first = await start();
    const served = await services.manifestOf('edge-1');
    const servingKey = (await services.store.getPointers('proxy', ['edge-1'])).get('edge-1') ?? '';
    await first.close();
    await services.flushRedis();
    expect(await services.manifestOf('edge-1')).toBeUndefined();
    await services.store.setPointers('proxy', new Map([['deleted-while-down', servingKey]]));

    const second = await start();
    const ready = await fetch(`${second.url}/readyz`);
    const rebuilt = await services.manifestOf('edge-1');
    const orphan = await services.store.getPointers('proxy', ['deleted-while-down']);
    await second.close();

    expect(served).toBeDefined();
    expect(rebuilt).toEqual(served);
    expect(orphan).toEqual(new Map());
    expect(ready.status).toBe(200);
  });
});
