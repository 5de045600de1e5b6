import { type LabelSelector } from '@envoy-fleet/domain';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import {
  decodeCursor,
  encodeCursor,
  type ListQuery,
  type ListSpec,
  type Page,
  type SortColumn,
} from '../http/list-query';

/**
 * Runs a list query with keyset pagination: rows ordered by the requested keys then by id (a total,
 * stable order), the page after the cursor's row, one more row fetched to know whether a next page
 * exists. Timestamps compare at millisecond precision, the precision of the cursor's values. `fetch`
 * runs the query (`UnitOfWork.select` reads it in one round trip).
 */
export async function listPage<E extends ObjectLiteral & { id: string }>(
  builder: SelectQueryBuilder<E>,
  spec: ListSpec,
  query: ListQuery,
  fetch: (page: SelectQueryBuilder<E>) => Promise<E[]> = (page) => page.getMany(),
): Promise<Page<E>> {
  const alias = builder.alias;
  const keys = [
    ...query.sort.map((key) => ({ field: key.field, column: key.column, descending: key.descending })),
    { field: 'id', column: { column: 'id', kind: 'text' } as SortColumn, descending: false },
  ];
  const expression = (column: SortColumn): string =>
    column.kind === 'timestamp'
      ? `date_trunc('milliseconds', ${alias}.${column.column})`
      : column.column === 'id'
        ? `${alias}.id`
        : `${alias}.${column.column}`;

  for (const [name, column] of Object.entries(spec.filters)) {
    const value = query.filters[name];
    if (value !== undefined)
      builder.andWhere(`${alias}.${column}::text = :filter_${name}`, { [`filter_${name}`]: value });
  }
  if (query.labels !== undefined) applyLabelSelector(builder, alias, query.labels);

  if (query.cursor !== undefined) {
    const values = decodeCursor(query.cursor, query.sortText, keys.length);
    const parameters: Record<string, unknown> = {};
    const alternatives = keys.map((key, index) => {
      const equalities = keys.slice(0, index).map((previous, previousIndex) => {
        parameters[`cursor_${previousIndex}`] = values[previousIndex];
        return `${expression(previous.column)} = ${cast(`:cursor_${previousIndex}`, previous.column)}`;
      });
      parameters[`cursor_${index}`] = values[index];
      const comparison = `${expression(key.column)} ${key.descending ? '<' : '>'} ${cast(`:cursor_${index}`, key.column)}`;
      return `(${[...equalities, comparison].join(' AND ')})`;
    });
    builder.andWhere(`(${alternatives.join(' OR ')})`, parameters);
  }

  keys.forEach((key, index) => {
    const direction = key.descending ? 'DESC' : 'ASC';
    if (index === 0) builder.orderBy(expression(key.column), direction);
    else builder.addOrderBy(expression(key.column), direction);
  });
  const rows = await fetch(builder.limit(query.limit + 1));
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  const nextCursor =
    rows.length > query.limit && last !== undefined
      ? encodeCursor(
          query.sortText,
          keys.map((key) => cursorValue(last[key.field] as unknown)),
        )
      : null;
  return { items, nextCursor };
}

function cast(parameter: string, column: SortColumn): string {
  switch (column.kind) {
    case 'timestamp':
      return `${parameter}::timestamptz`;
    case 'integer':
      return `${parameter}::integer`;
    case 'text':
      return column.column === 'id' ? `${parameter}::uuid` : parameter;
  }
}

function cursorValue(value: unknown): string | number {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'string') return value;
  throw new TypeError(`cannot page on a value of type ${typeof value}`);
}

/** The selector as SQL on `alias.labels` (JSONB), every requirement a bound parameter. */
export function applyLabelSelector<E extends ObjectLiteral>(
  builder: SelectQueryBuilder<E>,
  alias: string,
  selector: LabelSelector,
): void {
  let count = 0;
  const name = (): string => `label_${(count += 1)}`;
  const labels = `${alias}.labels`;
  const matchLabels = selector.matchLabels ?? {};
  if (Object.keys(matchLabels).length > 0) {
    const parameter = name();
    builder.andWhere(`${labels} @> CAST(:${parameter} AS jsonb)`, {
      [parameter]: JSON.stringify(matchLabels),
    });
  }
  for (const requirement of selector.matchExpressions ?? []) {
    const key = name();
    const values = name();
    const bindings = { [key]: requirement.key, [values]: requirement.values ?? [] };
    switch (requirement.operator) {
      case 'In':
        builder.andWhere(`${labels} ->> :${key} = ANY(:${values})`, bindings);
        break;
      case 'NotIn':
        builder.andWhere(
          `(NOT jsonb_exists(${labels}, :${key}) OR NOT (${labels} ->> :${key} = ANY(:${values})))`,
          bindings,
        );
        break;
      case 'Exists':
        builder.andWhere(`jsonb_exists(${labels}, :${key})`, bindings);
        break;
      case 'DoesNotExist':
        builder.andWhere(`NOT jsonb_exists(${labels}, :${key})`, bindings);
        break;
    }
  }
}
