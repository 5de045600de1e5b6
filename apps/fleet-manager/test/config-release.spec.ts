import { withSystem } from '@envoy-fleet/db';
import { loadConfigReleases } from '../src/snapshots/config-release';
import { webConfig } from './envoy-config.fixtures';
import { FleetRecords } from './fleet-records';
import { openSnapshotServices, type SnapshotServices } from './snapshot-services';

/** What `loadConfigReleases` reads of NACKs and ACKs in PostgreSQL (the rule itself: config-release.spec). */
describe(loadConfigReleases.name, () => {
  let services: SnapshotServices;
  let records: FleetRecords;
  let configId: string;
  const versions: string[] = [];
  let acker: string;
  let nacker: string;

  beforeAll(async () => {
    services = await openSnapshotServices('fleet-manager-config-release');
    records = await FleetRecords.forNewTenant(services.systemDataSource);
    const edge = await records.group('edge');
    acker = await records.proxy('edge-1', edge);
    nacker = await records.proxy('edge-2', edge);
    configId = await records.config('web');
    versions.push(await records.version(configId, webConfig('api')));
    versions.push(await records.version(configId, webConfig('api', 10001)));
  });

  afterAll(async () => {
    await services.dispose();
  });

  const respond = (proxyId: string, versionId: string, status: 'acked' | 'nacked', settled: boolean) =>
    services.systemDataSource.query(
      `INSERT INTO config_history (tenant_id, proxy_id, config_version_id, resource_type, xds_version, status,
         error_detail, responded_at, settled_at)
       VALUES ($1, $2, $3, 'listener', 'x', $4, $5, now(), CASE WHEN $6 THEN now() END)`,
      [
        records.tenantId,
        proxyId,
        versionId,
        status,
        status === 'nacked' ? JSON.stringify({ code: 2, message: 'rejected' }) : null,
        settled,
      ],
    );
  const release = () =>
    withSystem(services.systemDataSource, { actor: 'test:config-release' }, (manager) =>
      loadConfigReleases(manager, [configId]),
    ).then((releases) => releases.get(configId));

  it('withholds the newest version once a NACK of it lasts, falling back to the last ACKed one', async () => {
    await respond(acker, versions[0] as string, 'acked', false);
    await respond(nacker, versions[0] as string, 'acked', false);
    await respond(nacker, versions[1] as string, 'nacked', false);
    const unsettled = await release();
    await services.systemDataSource.query(
      `UPDATE config_history SET settled_at = now() WHERE status = 'nacked'`,
    );

    const settled = await release();

    expect(unsettled?.withheld.size).toBe(0);
    expect(settled?.withheld.get(versions[1] as string)).toEqual({
      servedTo: new Set([nacker]),
      fallback: expect.objectContaining({ id: versions[0], number: 1 }) as unknown,
    });
  });

  it('forgets a withheld version once a newer one supersedes it, and one an operator released', async () => {
    versions.push(await records.version(configId, webConfig('api', 10002)));
    const superseded = await release();
    await respond(nacker, versions[2] as string, 'nacked', true);
    await services.systemDataSource.query(
      `UPDATE config_history SET released_at = now(), released_by = 'test' WHERE config_version_id = $1`,
      [versions[2]],
    );

    const released = await release();

    expect(superseded?.withheld.size).toBe(0);
    expect(released?.latest?.id).toBe(versions[2]);
    expect(released?.withheld.size).toBe(0);
  });
});
