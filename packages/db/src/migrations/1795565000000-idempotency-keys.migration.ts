import { escapeIdentifier } from 'pg';
import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { type DatabaseRoles } from '../database-roles';

/**
 * Responses to POST requests sent with an `Idempotency-Key`, kept for a day so that a retried request
 * is answered with the first response instead of being executed twice. Tenant-owned, with the same
 * row-level security as every other tenant table (docs/adr/0002); not audited, since the rows record
 * requests, not changes.
 */
export function idempotencyKeysMigration(roles: DatabaseRoles): new () => MigrationInterface {
  const app = escapeIdentifier(roles.app.name);
  const system = escapeIdentifier(roles.system.name);

  return class IdempotencyKeys1795565000000 implements MigrationInterface {
    name = 'IdempotencyKeys1795565000000';

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`
        CREATE TABLE idempotency_keys (
          id uuid NOT NULL DEFAULT gen_random_uuid(),
          tenant_id uuid NOT NULL,
          principal text NOT NULL,
          key text NOT NULL,
          request_hash text NOT NULL,
          response_status integer NOT NULL,
          response_headers jsonb NOT NULL DEFAULT '{}',
          response_body jsonb,
          expires_at timestamptz NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT pk_idempotency_keys PRIMARY KEY (id),
          CONSTRAINT uq_idempotency_keys_tenant_id_principal_key UNIQUE (tenant_id, principal, key),
          CONSTRAINT fk_idempotency_keys_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
          CONSTRAINT ck_idempotency_keys_key CHECK (char_length(key) BETWEEN 1 AND 255),
          CONSTRAINT ck_idempotency_keys_request_hash CHECK (request_hash ~ '^[0-9a-f]{64}$'),
          CONSTRAINT ck_idempotency_keys_response_status CHECK (response_status BETWEEN 100 AND 599),
          CONSTRAINT ck_idempotency_keys_response_headers CHECK (jsonb_typeof(response_headers) = 'object')
        );
        CREATE INDEX ix_idempotency_keys_expires_at ON idempotency_keys (expires_at);
        GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO ${app}, ${system};
        ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON idempotency_keys
          USING (tenant_id = app_current_tenant_id()) WITH CHECK (tenant_id = app_current_tenant_id());
        CREATE POLICY system_access ON idempotency_keys TO ${system} USING (true) WITH CHECK (true);
      `);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP TABLE idempotency_keys;`);
    }
  };
}
