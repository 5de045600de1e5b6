import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The webhook dispatcher's queue is `webhook_deliveries` itself: a pending row is an attempt due at
 * `next_attempt_at`, claimed by one dispatcher replica with FOR UPDATE SKIP LOCKED. A partial index holds
 * exactly the pending rows, in the order they fall due; another lets one event have at most one pending
 * attempt per subscription. `replay_of_id` names the delivery an operator replayed
 * (`POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/replay`); a replayed attempt is sent once.
 */
export class WebhookDeliveryQueue1795566600000 implements MigrationInterface {
  name = 'WebhookDeliveryQueue1795566600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE webhook_deliveries
        ADD COLUMN replay_of_id uuid,
        ADD CONSTRAINT ck_webhook_deliveries_pending_due CHECK (status <> 'pending' OR next_attempt_at IS NOT NULL);
      CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
      CREATE UNIQUE INDEX uq_webhook_deliveries_pending ON webhook_deliveries (subscription_id, event_id)
        WHERE status = 'pending';
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP INDEX uq_webhook_deliveries_pending;
      DROP INDEX ix_webhook_deliveries_due;
      ALTER TABLE webhook_deliveries
        DROP CONSTRAINT ck_webhook_deliveries_pending_due,
        DROP COLUMN replay_of_id;
    `);
  }
}
