import { type JoinColumnOptions } from 'typeorm';

/**
 * Join columns of a reference to another row of the same tenant: `(tenant_id, <column>)` points at
 * the target's `(tenant_id, id)`, so the database itself refuses a reference across tenants.
 */
export function sameTenant(column: string): JoinColumnOptions[] {
  return [
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: column, referencedColumnName: 'id' },
  ];
}
