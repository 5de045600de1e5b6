import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Columns that hold secret material, masked in the audit images: the trail records that they
 * changed, never what they hold.
 */
const AUDITED_TABLES: Readonly<Record<string, readonly string[]>> = {
  tenants: [],
  users: [],
  api_keys: ['key_hash'],
  role_bindings: [],
  nodes: [],
  proxy_groups: [],
  proxies: [],
  listeners: [],
  route_configs: [],
  clusters: [],
  endpoints: [],
  secrets: ['body'],
  configs: [],
  // A version's document embeds its secrets' bodies; the content hash identifies it instead.
  config_versions: ['document'],
  config_bindings: [],
  config_templates: [],
  rollouts: [],
  webhook_subscriptions: ['secret'],
};

/**
 * Every INSERT, UPDATE and DELETE of a tenant-owned row writes `audit_log` [DB-004], with the actor
 * from `app.actor` (set by the unit of work). The function is SECURITY DEFINER so that the app role
 * can cause audit rows without holding INSERT on `audit_log`, and so cannot forge them.
 * `config_history` and `webhook_deliveries` are not audited: they are delivery logs themselves.
 */
export class AuditLog1795564920000 implements MigrationInterface {
  name = 'AuditLog1795564920000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION app_audit_row_change() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      DECLARE
        before_image jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END;
        after_image jsonb := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END;
        image jsonb := coalesce(after_image, before_image);
        masked_column text;
      BEGIN
        FOREACH masked_column IN ARRAY coalesce(TG_ARGV, '{}') LOOP
          before_image := CASE WHEN before_image ? masked_column
            THEN jsonb_set(before_image, ARRAY[masked_column], '"[masked]"') ELSE before_image END;
          after_image := CASE WHEN after_image ? masked_column
            THEN jsonb_set(after_image, ARRAY[masked_column], '"[masked]"') ELSE after_image END;
        END LOOP;
        INSERT INTO audit_log (tenant_id, table_name, row_id, action, actor, before, after)
        VALUES (
          CASE WHEN TG_TABLE_NAME = 'tenants' THEN image ->> 'id' ELSE image ->> 'tenant_id' END::uuid,
          TG_TABLE_NAME,
          (image ->> 'id')::uuid,
          lower(TG_OP),
          coalesce(nullif(current_setting('app.actor', true), ''), 'db:' || session_user),
          before_image,
          after_image
        );
        RETURN NULL;
      END
      $$;
      REVOKE ALL ON FUNCTION app_audit_row_change() FROM PUBLIC;
      ${Object.entries(AUDITED_TABLES)
        .map(
          ([table, masked]) =>
            `CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON ${table}
              FOR EACH ROW EXECUTE FUNCTION app_audit_row_change(${masked.map((column) => `'${column}'`).join(', ')});`,
        )
        .join('\n')}
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ${Object.keys(AUDITED_TABLES)
        .map((table) => `DROP TRIGGER audit_row_change ON ${table};`)
        .join('\n')}
      DROP FUNCTION app_audit_row_change();
    `);
  }
}
