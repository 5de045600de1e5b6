import { type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { DomainError, type ValidationIssue } from '@envoy-fleet/domain';
import { type z } from 'zod';

/** `['spec', 'clusters', 2, 'name']` → `spec.clusters[2].name`. */
export function jsonPath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>((path, segment) => {
    if (typeof segment === 'number') return `${path}[${segment}]`;
    const name = String(segment);
    return path === '' ? name : `${path}.${name}`;
  }, '');
}

/** Zod's issues as the api reports them: one per offending field, unknown properties one by one. */
export function issuesOf(error: z.ZodError, prefix: readonly PropertyKey[] = []): ValidationIssue[] {
  return error.issues.flatMap((issue): ValidationIssue[] => {
    const at = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: jsonPath([...at, key]), message: 'unknown property' }));
    }
    return [{ path: jsonPath(at), message: issue.message }];
  });
}

export type RequestPart = 'body' | 'query' | 'params';

/** Parses one part of a request, failing with INVALID_REQUEST (400) that lists every problem. */
export function parseRequest<S extends z.ZodType>(
  schema: S,
  value: unknown,
  part: RequestPart,
  field?: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = issuesOf(result.error, [
    ...(part === 'body' ? [] : [part]),
    ...(field === undefined ? [] : [field]),
  ]);
  const summary = issues.map((issue) => `${issue.path || '(body)'}: ${issue.message}`).join('; ');
  throw new DomainError('INVALID_REQUEST', `the request ${part} is invalid: ${summary}`, { issues });
}

/** `@Body(new ZodPipe(schema, 'body'))`: the handler receives the parsed, typed value. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    readonly schema: S,
    private readonly part: RequestPart,
  ) {}

  transform(value: unknown, metadata: ArgumentMetadata): z.output<S> {
    return parseRequest(this.schema, value, this.part, metadata.data);
  }
}
