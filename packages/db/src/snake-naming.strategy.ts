import { DefaultNamingStrategy, type NamingStrategyInterface, type Table } from 'typeorm';
import { snakeCase } from 'typeorm/util/StringUtils';

const tableNameOf = (tableOrName: Table | string): string =>
  typeof tableOrName === 'string' ? tableOrName : tableOrName.name;

/**
 * snake_case columns and readable constraint names (`pk_proxies`, `uq_proxies_vm_id_proxy_port`,
 * `fk_proxies_tenant_id_group_id`, `ix_proxies_tenant_id_status`) instead of TypeORM's hashes, so
 * that the hand-written migrations can name the same constraints the entities describe.
 */
export class SnakeNamingStrategy extends DefaultNamingStrategy implements NamingStrategyInterface {
  override columnName(
    propertyName: string,
    customName: string | undefined,
    embeddedPrefixes: string[],
  ): string {
    return customName ?? snakeCase([...embeddedPrefixes, propertyName].join('_'));
  }

  override primaryKeyName(tableOrName: Table | string): string {
    return `pk_${tableNameOf(tableOrName)}`;
  }

  override uniqueConstraintName(tableOrName: Table | string, columnNames: string[]): string {
    return `uq_${tableNameOf(tableOrName)}_${columnNames.join('_')}`;
  }

  override foreignKeyName(tableOrName: Table | string, columnNames: string[]): string {
    return `fk_${tableNameOf(tableOrName)}_${columnNames.join('_')}`;
  }

  override indexName(tableOrName: Table | string, columnNames: string[]): string {
    return `ix_${tableNameOf(tableOrName)}_${columnNames.join('_')}`;
  }
}
