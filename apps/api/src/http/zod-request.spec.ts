import { DomainError } from '@envoy-fleet/domain';
import { z } from 'zod';
import { jsonPath, parseRequest } from './zod-request';

const schema = z.strictObject({
  name: z.string().min(1),
  spec: z.strictObject({ ports: z.array(z.number().int()) }),
});

describe(parseRequest.name, () => {
  it('returns the parsed value', () => {
    expect(parseRequest(schema, { name: 'a', spec: { ports: [1] } }, 'body')).toEqual({
      name: 'a',
      spec: { ports: [1] },
    });
  });

  it('reports every offending field with its path, unknown properties included', () => {
    let thrown: unknown;
    try {
      parseRequest(schema, { name: '', spec: { ports: [1, 'x'], extra: true }, other: 1 }, 'body');
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(DomainError);
    const error = thrown as DomainError;
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.issues.map((issue) => issue.path).sort()).toEqual([
      'name',
      'other',
      'spec.extra',
      'spec.ports[1]',
    ]);
    expect(error.issues.find((issue) => issue.path === 'other')?.message).toBe('unknown property');
  });

  it('prefixes query parameters with query', () => {
    expect(() => parseRequest(z.strictObject({ limit: z.coerce.number() }), { limit: 'x' }, 'query')).toThrow(
      /query\.limit/,
    );
  });
});

describe(jsonPath.name, () => {
  it('writes indexes in brackets', () => {
    expect(jsonPath(['spec', 'clusters', 2, 'connect_timeout'])).toBe('spec.clusters[2].connect_timeout');
    expect(jsonPath([])).toBe('');
  });
});
