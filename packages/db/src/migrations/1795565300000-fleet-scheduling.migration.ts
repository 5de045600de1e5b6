import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Scheduling settings of a proxy group: whether fleet-manager recreates the group's proxies on other
 * VMs when their VM stops heartbeating (node loss). Ports stay unique per VM through the existing
 * `uq_proxies_vm_id_proxy_port` and `uq_proxies_vm_id_admin_port` constraints.
 */
export class FleetScheduling1795565300000 implements MigrationInterface {
  name = 'FleetScheduling1795565300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE proxy_groups ADD COLUMN reschedule_on_node_loss boolean NOT NULL DEFAULT false`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE proxy_groups DROP COLUMN reschedule_on_node_loss`);
  }
}
