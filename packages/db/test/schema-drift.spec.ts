import { createTestDatabase, type TestDatabase } from '@envoy-fleet/test-kit/database';
import { createDataSource, runMigrations } from '../src';

/**
 * The immich "TypeORM checks" convention: generating a migration from the entities against the
 * migrated schema must yield nothing, or entities and migrations disagree.
 */
describe('entities and migrations', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: runMigrations, label: 'schema-drift' });
  });

  afterAll(async () => {
    await database.drop();
  });

  it('describe the same schema', async () => {
    const dataSource = await createDataSource({ url: database.adminUrl }).initialize();
    try {
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((query) => query.query)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
