import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Why the config a proxy's bindings give cannot be served (issue 6, docs/assignment-modes.md): a
 * template that does not render, parameters against its schema, an inheritance cycle, a document that
 * fails the snapshot checks. fleet-manager writes it on each build and clears it once the proxy's config
 * is served again; meanwhile the proxy keeps its last good snapshot.
 */
export class ProxyConfigRejection1795565400000 implements MigrationInterface {
  name = 'ProxyConfigRejection1795565400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE proxies
        ADD COLUMN config_rejection jsonb,
        ADD COLUMN config_rejected_at timestamptz;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE proxies
        DROP COLUMN config_rejected_at,
        DROP COLUMN config_rejection;
    `);
  }
}
