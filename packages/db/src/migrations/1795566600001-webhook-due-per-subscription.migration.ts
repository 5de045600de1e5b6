import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The webhook dispatcher claims due attempts subscription by subscription (a few of each, so that one
 * slow receiver cannot take every slot): the pending attempts are indexed by subscription and due time
 * instead of by due time alone, so each claim reads a few index entries per subscription however long
 * the backlog.
 */
export class WebhookDuePerSubscription1795566600001 implements MigrationInterface {
  name = 'WebhookDuePerSubscription1795566600001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP INDEX ix_webhook_deliveries_due;
      CREATE INDEX ix_webhook_deliveries_subscription_due ON webhook_deliveries (subscription_id, next_attempt_at)
        WHERE status = 'pending';
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP INDEX ix_webhook_deliveries_subscription_due;
      CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
    `);
  }
}
