import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A lasting NACK withholds its config version from proxies that were not served it yet, until an operator
 * releases the version (`POST /api/v1/configs/{id}/versions/{version}/release`): the release is recorded on
 * the NACKs it covers, when and by whom (docs/rollouts.md). Each snapshot build asks which versions are
 * withheld: a partial index holds exactly the NACKs that withhold one.
 */
export class ConfigHistoryRelease1795566300000 implements MigrationInterface {
  name = 'ConfigHistoryRelease1795566300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE config_history
        ADD COLUMN released_at timestamptz,
        ADD COLUMN released_by text,
        ADD CONSTRAINT ck_config_history_released CHECK ((released_at IS NULL) = (released_by IS NULL));
      CREATE INDEX ix_config_history_withholding ON config_history (config_version_id)
        WHERE status = 'nacked' AND settled_at IS NOT NULL AND released_at IS NULL;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP INDEX ix_config_history_withholding;
      ALTER TABLE config_history
        DROP CONSTRAINT ck_config_history_released,
        DROP COLUMN released_by,
        DROP COLUMN released_at;
    `);
  }
}
