import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Drift [NFR-OB-004]: the resource types whose last ACKed version differs from the version the proxy's
 * current snapshot holds, since when fleet-manager has seen it so, and when the difference outlasted the
 * threshold and the proxy was reported drifted. All three are cleared once the proxy converges.
 */
export class ProxyDrift1795565700000 implements MigrationInterface {
  name = 'ProxyDrift1795565700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE proxies
        ADD COLUMN drift jsonb,
        ADD COLUMN drift_observed_at timestamptz,
        ADD COLUMN drifted_at timestamptz;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE proxies
        DROP COLUMN drifted_at,
        DROP COLUMN drift_observed_at,
        DROP COLUMN drift;
    `);
  }
}
