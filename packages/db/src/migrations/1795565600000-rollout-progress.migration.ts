import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What a rollout needs to drive its waves (issue 6, docs/rollouts.md): the version its proxies return to
 * when it is aborted or rolled back, which proxies each wave holds (fixed when the rollout starts), and
 * since when every proxy of the current wave has ACKed the new version (the soak time runs from there).
 */
export class RolloutProgress1795565600000 implements MigrationInterface {
  name = 'RolloutProgress1795565600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE rollouts
        ADD COLUMN base_version_id uuid,
        ADD COLUMN wave_proxies jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN wave_settled_at timestamptz,
        ADD CONSTRAINT fk_rollouts_tenant_id_config_id_base_version_id
          FOREIGN KEY (tenant_id, config_id, base_version_id)
          REFERENCES config_versions (tenant_id, config_id, id) ON DELETE CASCADE,
        ADD CONSTRAINT ck_rollouts_wave_proxies CHECK (jsonb_typeof(wave_proxies) = 'array');
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE rollouts
        DROP CONSTRAINT ck_rollouts_wave_proxies,
        DROP CONSTRAINT fk_rollouts_tenant_id_config_id_base_version_id,
        DROP COLUMN wave_settled_at,
        DROP COLUMN wave_proxies,
        DROP COLUMN base_version_id;
    `);
  }
}
