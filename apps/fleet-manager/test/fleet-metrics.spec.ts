import { createDataSource, runMigrations } from '@envoy-fleet/db';
import { emptyConfigDocument } from '@envoy-fleet/domain';
import { createTestDatabase, type TestDatabase } from '@envoy-fleet/test-kit/database';
import { Registry } from 'prom-client';
import { type DataSource } from 'typeorm';
import { countFleet, FleetMetrics } from '../src/scheduling/fleet-metrics';
import { FleetRecords } from './fleet-records';

/** The fleet gauges read the stored fleet on each scrape: NACK ratio per group and rollouts by state. */
describe('fleet gauges', () => {
  let database: TestDatabase;
  let systemDataSource: DataSource;
  let records: FleetRecords;
  const registry = new Registry();
  const values = async (name: string) =>
    (await registry.getSingleMetric(name)?.get())?.values.map(({ labels, value }) => ({ labels, value }));

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: runMigrations, label: 'fleet-metrics' });
    systemDataSource = await createDataSource({ url: database.systemUrl }).initialize();
    records = await FleetRecords.forNewTenant(systemDataSource);
    new FleetMetrics(registry, () => countFleet(systemDataSource));
  });

  afterAll(async () => {
    await systemDataSource.destroy();
    await database.drop();
  });

  it('gives each group the share of its proxies holding a lasting NACK, and counts rollouts by state', async () => {
    const edge = await records.group('edge');
    const internal = await records.group('internal');
    const nacked = await records.proxy('edge-1', edge);
    await records.proxy('edge-2', edge);
    await records.proxy('edge-3', edge);
    await records.proxy('edge-4', edge);
    await records.proxy('internal-1', internal);
    const configId = await records.config('web');
    const versionId = await records.version(configId, emptyConfigDocument());
    await systemDataSource.transaction(async (manager) => {
      await manager.query(`UPDATE proxies SET cluster_sync_status = 'NACKED' WHERE id = $1`, [nacked]);
      for (const state of ['running', 'completed', 'completed'])
        await manager.query(
          `INSERT INTO rollouts (tenant_id, config_id, config_version_id, strategy, gates, state, created_by)
           VALUES ($1, $2, $3, 'all_at_once', '{}', $4, 'test')`,
          [records.tenantId, configId, versionId, state],
        );
    });

    const tenant = expect.stringMatching(/^t-/) as unknown;
    expect(await values('envoy_fleet_nack_ratio')).toEqual(
      expect.arrayContaining([
        { labels: { tenant, cluster: 'edge' }, value: 0.25 },
        { labels: { tenant, cluster: 'internal' }, value: 0 },
      ]),
    );
    expect(await values('envoy_fleet_rollouts_by_state')).toEqual(
      expect.arrayContaining([
        { labels: { state: 'running' }, value: 1 },
        { labels: { state: 'completed' }, value: 2 },
      ]),
    );
  });
});
