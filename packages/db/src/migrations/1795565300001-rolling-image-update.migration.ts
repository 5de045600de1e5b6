import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Rolling image updates: the image a group's proxies should run and how many may be replaced at once,
 * and per proxy when its image was last changed (NULL once the new container is ready and has ACKed).
 */
export class RollingImageUpdate1795565300001 implements MigrationInterface {
  name = 'RollingImageUpdate1795565300001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE proxy_groups
        ADD COLUMN image text,
        ADD COLUMN max_surge integer NOT NULL DEFAULT 1,
        ADD CONSTRAINT ck_proxy_groups_image CHECK (image <> ''),
        ADD CONSTRAINT ck_proxy_groups_max_surge CHECK (max_surge BETWEEN 1 AND 100);
      ALTER TABLE proxies ADD COLUMN image_updated_at timestamptz;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE proxies DROP COLUMN image_updated_at;
      ALTER TABLE proxy_groups
        DROP CONSTRAINT ck_proxy_groups_max_surge,
        DROP CONSTRAINT ck_proxy_groups_image,
        DROP COLUMN max_surge,
        DROP COLUMN image;
    `);
  }
}
