import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Proxy health combines signals (fleet-manager README, "Health"): `ready` keeps what the node agent's probe
 * of Envoy's admin `/ready` last said (null: not probed), so `health` can be derived from it, the
 * container state, the xDS connection and the node's heartbeats, with the reasons in `health_reasons`.
 * Existing rows take their probe result from the health they hold.
 */
export class ProxyHealthSignals1795566300001 implements MigrationInterface {
  name = 'ProxyHealthSignals1795566300001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE proxies
        ADD COLUMN ready boolean,
        ADD COLUMN health_reasons jsonb NOT NULL DEFAULT '[]',
        ADD CONSTRAINT ck_proxies_health_reasons CHECK (jsonb_typeof(health_reasons) = 'array');
      UPDATE proxies SET ready = CASE health WHEN 'healthy' THEN true WHEN 'unhealthy' THEN false END;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE proxies
        DROP CONSTRAINT ck_proxies_health_reasons,
        DROP COLUMN health_reasons,
        DROP COLUMN ready;
    `);
  }
}
