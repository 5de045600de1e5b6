import { type ConfigDocument } from '@envoy-fleet/domain';
import { silentLogger } from '@envoy-fleet/messaging';
import { decodeResource, typeUrlOf } from '@envoy-fleet/xds';
import { EffectiveConfigRepository } from '../src/snapshots/effective-config.repository';
import { PROXY_PORT_PLACEHOLDER } from '../src/snapshots/listener-ports';
import { SnapshotBuilder, servingKeyOfVersion } from '../src/snapshots/snapshot-builder';
import { webConfig } from './envoy-config.fixtures';
import { FleetRecords } from './fleet-records';
import { openSnapshotServices, type SnapshotServices } from './snapshot-services';

/** `webConfig` whose listener binds the proxy's allocated port. */
function allocatedPortConfig(): ConfigDocument {
  const document = webConfig('api');
  return {
    resources: {
      ...document.resources,
      listener: document.resources.listener.map((resource) => ({
        ...resource,
        body: {
          ...resource.body,
          address: { socket_address: { address: '0.0.0.0', named_port: PROXY_PORT_PLACEHOLDER } },
        },
      })),
    },
  };
}

/**
 * Host-network proxies of one group on one VM (docs/adr/0004): a listener naming the port
 * `PROXY_PORT` is served to each proxy on its own allocated port, built against PostgreSQL and Redis.
 */
describe('listener port bound to each proxy', () => {
  let services: SnapshotServices;
  let records: FleetRecords;
  let sut: SnapshotBuilder;

  beforeAll(async () => {
    services = await openSnapshotServices('fleet-manager-listener-ports');
    records = await FleetRecords.forNewTenant(services.systemDataSource);
    sut = new SnapshotBuilder({
      configs: new EffectiveConfigRepository(services.systemDataSource),
      store: services.store,
      events: services.bus,
      logger: silentLogger,
    });
  });

  afterAll(async () => {
    await services.dispose();
  });

  const servedListenerPort = async (nodeId: string): Promise<unknown> => {
    const manifest = await services.manifestOf(nodeId);
    const hash = manifest?.types[typeUrlOf('listener')]?.resources['http'] ?? '';
    const bytes = (await services.store.getBlobs('res', [hash])).get(hash);
    if (bytes === undefined) throw new Error(`${nodeId} is served no listener "http"`);
    const address = decodeResource('listener', bytes)['address'] as {
      socket_address: { port_value?: number };
    };
    return address.socket_address.port_value;
  };
  const portOf = async (proxyId: string): Promise<number> => {
    const [row] = await services.systemDataSource.query<{ proxy_port: number }[]>(
      'SELECT proxy_port FROM proxies WHERE id = $1',
      [proxyId],
    );
    return row?.proxy_port ?? 0;
  };

  it('gives two proxies of a group their own listener port, and keeps sharing a config without the placeholder', async () => {
    const edge = await records.group('edge');
    const first = await records.proxy('edge-1', edge);
    const second = await records.proxy('edge-2', edge);
    const edgeConfig = await records.config('edge');
    const allocated = await records.version(edgeConfig, allocatedPortConfig());
    await records.bindGroup(edge, edgeConfig);
    const core = await records.group('core');
    await records.proxy('core-1', core);
    await records.proxy('core-2', core);
    const coreConfig = await records.config('core');
    const fixed = await records.version(coreConfig, webConfig('api'));
    await records.bindGroup(core, coreConfig);

    const report = await sut.execute({ tenantId: records.tenantId });

    const [firstPort, secondPort] = [await portOf(first), await portOf(second)];
    expect(firstPort).not.toBe(secondPort);
    expect(report.rejected).toEqual([]);
    expect([...report.published].sort()).toEqual(
      [
        `${servingKeyOfVersion(records.tenantId, allocated)}:port:${firstPort}`,
        `${servingKeyOfVersion(records.tenantId, allocated)}:port:${secondPort}`,
        servingKeyOfVersion(records.tenantId, fixed),
      ].sort(),
    );
    expect(await servedListenerPort('edge-1')).toBe(firstPort);
    expect(await servedListenerPort('edge-2')).toBe(secondPort);
    expect(await servedListenerPort('core-1')).toBe(10000);
    expect(await servedListenerPort('core-2')).toBe(10000);
  });
});
