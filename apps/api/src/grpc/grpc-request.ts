import { DomainError } from '@envoy-fleet/domain';
import type { Timestamp } from '@envoy-fleet/proto/management';
import { etagOf, expectedVersionOf } from '../http/etag';
import { withIssuesAt } from '../http/issue-paths';
import { type ListQuery, type ListSpec, listQuerySchema } from '../http/list-query';
import { uuidParam } from '../http/request-schemas';
import { parseRequest } from '../http/zod-request';

/** Turns a path the service layer reports (the REST representation's) into the gRPC request's field path. */
export type FieldPathOf = (path: string) => string;

/** `cpuMillicores` → `cpu_millicores`: proto field names are the REST ones in snake_case, unless renamed. */
export function snakeCase(path: string): string {
  return path.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * A field path translator: `renamed` maps REST paths (and their sub-paths) to proto ones, everything else
 * is snake-cased; all under `prefix`, the request field that holds the message (`node`, `config`).
 */
export function fieldPaths(prefix: string, renamed: Readonly<Record<string, string>> = {}): FieldPathOf {
  const entries = Object.entries(renamed).sort(([a], [b]) => b.length - a.length);
  return (path) => {
    for (const [from, to] of entries) {
      if (path === from || path.startsWith(`${from}.`) || path.startsWith(`${from}[`)) {
        return join(prefix, to + path.slice(from.length));
      }
    }
    return join(prefix, snakeCase(path));
  };
}

function join(prefix: string, path: string): string {
  if (path === '') return prefix;
  return prefix === '' ? path : `${prefix}.${path}`;
}

/**
 * Runs `work` and reports the field paths of its validation issues as the gRPC request names them,
 * so a BadRequest field violation points at the request field to fix.
 */
export function inRequestTerms<T>(fieldPathOf: FieldPathOf, work: () => Promise<T> | T): Promise<T> {
  return withIssuesAt(fieldPathOf, work, (error, issues) => {
    const summary = issues.map((issue) => `${issue.path || '(request)'}: ${issue.message}`).join('; ');
    const what = error.code === 'VALIDATION_FAILED' ? 'the content is invalid' : 'the request is invalid';
    return `${what}: ${summary}`;
  });
}

/** One invalid request field, as INVALID_REQUEST with its field violation. */
export function invalidField(path: string, message: string): DomainError {
  return new DomainError('INVALID_REQUEST', `the request is invalid: ${path}: ${message}`, {
    issues: [{ path, message }],
  });
}

/** Fails with INVALID_REQUEST when a request's message field is absent. */
export function required<T>(value: T | undefined, path: string): T {
  if (value === undefined) throw invalidField(path, 'is required');
  return value;
}

export interface PageRequest {
  readonly pageSize: number;
  readonly pageToken: string;
  readonly labelSelector?: string;
}

/**
 * A list request as the services take it: page size (0 means the default of 50; at most 500), page
 * token (the previous response's `next_page_token`), label selector, and equality filters; validated by
 * the same rules as the REST query string, reported under the request's field names.
 */
export async function listQueryOf(
  spec: ListSpec,
  request: PageRequest,
  filters: Readonly<Record<string, { readonly field: string; readonly value: string | undefined }>> = {},
): Promise<ListQuery> {
  const query: Record<string, unknown> = {};
  if (request.pageSize !== 0) query['limit'] = request.pageSize;
  if (request.pageToken !== '') query['cursor'] = request.pageToken;
  if (request.labelSelector !== undefined && request.labelSelector !== '') {
    query['labels'] = request.labelSelector;
  }
  const renamed: Record<string, string> = {
    'query.limit': 'page_size',
    'query.cursor': 'page_token',
    'query.labels': 'label_selector',
  };
  for (const [name, filter] of Object.entries(filters)) {
    if (filter.value !== undefined && filter.value !== '') query[name] = filter.value;
    renamed[`query.${name}`] = filter.field;
  }
  return inRequestTerms(fieldPaths('', renamed), () => parseRequest(listQuerySchema(spec), query, 'query'));
}

/** `next_page_token`: empty on the last page. */
export function nextPageToken(nextCursor: string | null): string {
  return nextCursor ?? '';
}

/**
 * The version a change is based on: the ETag sent, or when it is empty (the proto's unconditional
 * change) the version just read in the call's transaction.
 */
export async function expectedVersion(
  etag: string,
  current: () => Promise<{ version: number }>,
): Promise<number> {
  return etag === '' ? (await current()).version : expectedVersionOf(etag);
}

export { etagOf };

/** An ISO 8601 time as a google.protobuf.Timestamp (64-bit seconds as a string, as generated). */
export function timestampOf(iso: string | null): Timestamp | undefined {
  if (iso === null) return undefined;
  const millis = Date.parse(iso);
  return { seconds: String(Math.floor(millis / 1000)), nanos: (millis % 1000) * 1_000_000 };
}

/**
 * Applies an update mask: the writable fields it names (proto names, top level) are taken from
 * `desired`, the others kept from `current`; an empty mask replaces every writable field.
 */
export function applyUpdateMask<W extends object>(
  current: W,
  desired: W,
  mask: readonly string[] | undefined,
  writable: Readonly<Record<string, readonly (keyof W)[]>>,
): W {
  if (mask === undefined || mask.length === 0) return desired;
  const merged = { ...current };
  mask.forEach((path, index) => {
    const keys = writable[path];
    if (keys === undefined) {
      throw invalidField(
        `update_mask.paths[${index}]`,
        `"${path}" is not a writable field; use ${Object.keys(writable).join(', ')}`,
      );
    }
    for (const key of keys) merged[key] = desired[key];
  });
  return merged;
}

/** How one resource's Update RPC reads, builds and stores the resource (see `maskedUpdate`). */
export interface MaskedUpdate<V extends { readonly version: number }, W extends object, R> {
  /** The request's `etag`: empty for an unconditional change. */
  readonly etag: string;
  readonly updateMask: readonly string[] | undefined;
  /** Proto field → the writable fields of the REST representation it sets. */
  readonly writable: Readonly<Record<string, readonly (keyof W)[]>>;
  readonly fieldPathOf: FieldPathOf;
  read(): Promise<V>;
  writeOf(current: V): W;
  /** The write the request's message describes, over the current one for what it leaves out. */
  desired(base: W): W | Promise<W>;
  replace(version: number, write: W): Promise<R>;
}

/**
 * What every Update RPC does: reads the resource, takes the version it is based on from the ETag (or
 * the version just read), keeps from the request's message the fields its update mask names, and
 * replaces the resource at that version; validation issues name the request's fields.
 */
export async function maskedUpdate<V extends { readonly version: number }, W extends object, R>(
  update: MaskedUpdate<V, W, R>,
): Promise<R> {
  const current = await update.read();
  const version = await expectedVersion(update.etag, () => Promise.resolve(current));
  const base = update.writeOf(current);
  const desired = await inRequestTerms(update.fieldPathOf, () => update.desired(base));
  const write = applyUpdateMask(base, desired, update.updateMask, update.writable);
  return inRequestTerms(update.fieldPathOf, () => update.replace(version, write));
}

/** An id field: a UUID, else INVALID_REQUEST naming the field (not NOT_FOUND: it can name nothing). */
export function uuidOf(value: string, path: string): string {
  if (!uuidParam.safeParse(value).success) throw invalidField(path, 'must be a UUID');
  return value;
}
