import { DomainError, type LabelSelector } from '@envoy-fleet/domain';
import { z } from 'zod';
import { parseLabelSelectorQuery } from './label-selector-query';

export type SortKind = 'text' | 'timestamp' | 'integer';

export interface SortColumn {
  /** The column in SQL, e.g. `created_at`. */
  readonly column: string;
  readonly kind: SortKind;
}

/** What a list endpoint allows: its sort fields, its default order, its field filters, its labels. */
export interface ListSpec {
  readonly sortable: Readonly<Record<string, SortColumn>>;
  /** e.g. `name` or `-createdAt`. */
  readonly defaultSort: string;
  /** Query parameter → SQL column compared for equality. */
  readonly filters: Readonly<Record<string, string>>;
  /** Whether `?labels=` selects on a `labels` column. */
  readonly labels: boolean;
}

export interface SortKey {
  readonly field: string;
  readonly column: SortColumn;
  readonly descending: boolean;
}

export interface ListQuery {
  readonly limit: number;
  readonly cursor: string | undefined;
  /** The normalized sort text, which a cursor must have been made for. */
  readonly sortText: string;
  readonly sort: readonly SortKey[];
  readonly labels: LabelSelector | undefined;
  readonly filters: Readonly<Record<string, string>>;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** `name,-createdAt` → sort keys over the allow-list. */
export function parseSort(text: string, spec: ListSpec): SortKey[] {
  const keys: SortKey[] = [];
  for (const part of text.split(',').map((each) => each.trim())) {
    const descending = part.startsWith('-');
    const field = descending ? part.slice(1) : part;
    const column = spec.sortable[field];
    if (column === undefined) {
      throw new DomainError('INVALID_REQUEST', `cannot sort by "${field}"`, {
        issues: [
          {
            path: 'query.sort',
            message: `"${field}" is not sortable; use ${Object.keys(spec.sortable).join(', ')}`,
          },
        ],
      });
    }
    if (keys.some((key) => key.field === field)) {
      throw new DomainError('INVALID_REQUEST', `sort field "${field}" appears twice`, {
        issues: [{ path: 'query.sort', message: `"${field}" appears twice` }],
      });
    }
    keys.push({ field, column, descending });
  }
  return keys;
}

/** The zod schema of a list endpoint's query string; unknown parameters are refused. */
export function listQuerySchema(spec: ListSpec) {
  const filterShape = Object.fromEntries(
    Object.keys(spec.filters).map((name) => [name, z.string().min(1).optional()]),
  );
  return z
    .strictObject({
      limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
      cursor: z.string().min(1).optional(),
      sort: z.string().min(1).optional(),
      ...(spec.labels ? { labels: z.string().optional() } : {}),
      ...filterShape,
    })
    .transform((query): ListQuery => {
      const record = query as Record<string, unknown>;
      const sort = parseSort(query.sort ?? spec.defaultSort, spec);
      const filters: Record<string, string> = {};
      for (const name of Object.keys(spec.filters)) {
        const value = record[name];
        if (typeof value === 'string') filters[name] = value;
      }
      const labels = record['labels'];
      return {
        limit: query.limit,
        cursor: query.cursor,
        sortText: sort.map((key) => (key.descending ? `-${key.field}` : key.field)).join(','),
        sort,
        labels:
          typeof labels === 'string' && labels.trim() !== '' ? parseLabelSelectorQuery(labels) : undefined,
        filters,
      };
    });
}

type CursorValue = string | number;

/** An opaque cursor: the sort key values of the last row served, tied to the sort they were made for. */
export function encodeCursor(sortText: string, values: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify({ s: sortText, v: values }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, sortText: string, count: number): CursorValue[] {
  const invalid = (message: string): DomainError =>
    new DomainError('INVALID_REQUEST', `the cursor ${message}; start again without a cursor`, {
      issues: [{ path: 'query.cursor', message }],
    });
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('is not one this api issued');
  }
  const { s, v } = (decoded ?? {}) as { s?: unknown; v?: unknown };
  if (typeof s !== 'string' || !Array.isArray(v) || v.length !== count)
    throw invalid('is not one this api issued');
  if (s !== sortText) throw invalid(`was issued for sort "${s}", not "${sortText}"`);
  if (!v.every((value): value is CursorValue => typeof value === 'string' || typeof value === 'number')) {
    throw invalid('is not one this api issued');
  }
  return v;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  readonly nextCursor: string | null;
}
