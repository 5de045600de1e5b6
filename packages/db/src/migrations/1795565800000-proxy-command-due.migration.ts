import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * When the node-agent command that brings a proxy's container to the row's desired state is due to be
 * (re)sent; NULL once it is queued. Scheduling claims a due row for a while before sending, and makes
 * it due at once when the send fails, so a command lost to a NATS outage goes out on the next pass.
 */
export class ProxyCommandDue1795565800000 implements MigrationInterface {
  name = 'ProxyCommandDue1795565800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE proxies ADD COLUMN command_due_at timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE proxies DROP COLUMN command_due_at`);
  }
}
