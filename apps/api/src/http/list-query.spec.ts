import { decodeCursor, encodeCursor, type ListSpec, listQuerySchema } from './list-query';

const spec: ListSpec = {
  sortable: {
    name: { column: 'name', kind: 'text' },
    createdAt: { column: 'created_at', kind: 'timestamp' },
  },
  defaultSort: 'name',
  filters: { status: 'status' },
  labels: true,
};

describe(listQuerySchema.name, () => {
  const sut = listQuerySchema(spec);

  it('applies defaults', () => {
    const query = sut.parse({});

    expect(query).toMatchObject({
      limit: 50,
      cursor: undefined,
      sortText: 'name',
      labels: undefined,
      filters: {},
    });
  });

  it('reads sort, filters and labels', () => {
    const query = sut.parse({ limit: '10', sort: '-createdAt,name', status: 'ready', labels: 'env=prod' });

    expect(query.limit).toBe(10);
    expect(query.sort.map((key) => [key.field, key.descending])).toEqual([
      ['createdAt', true],
      ['name', false],
    ]);
    expect(query.filters).toEqual({ status: 'ready' });
    expect(query.labels).toEqual({ matchLabels: { env: 'prod' }, matchExpressions: [] });
  });

  it('refuses unknown parameters, fields outside the allow-list and out-of-range limits', () => {
    expect(sut.safeParse({ colour: 'red' }).success).toBe(false);
    expect(() => sut.parse({ sort: 'hostname' })).toThrow(/cannot sort by "hostname"/);
    expect(() => sut.parse({ sort: 'name,-name' })).toThrow(/appears twice/);
    expect(sut.safeParse({ limit: '0' }).success).toBe(false);
    expect(sut.safeParse({ limit: '501' }).success).toBe(false);
  });
});

describe(decodeCursor.name, () => {
  it('round-trips the values of the sort it was made for', () => {
    const cursor = encodeCursor('-createdAt', ['2026-01-01T00:00:00.000Z', 'b7c1']);

    expect(decodeCursor(cursor, '-createdAt', 2)).toEqual(['2026-01-01T00:00:00.000Z', 'b7c1']);
  });

  it('refuses a cursor made for another sort, or not made by the api', () => {
    const cursor = encodeCursor('name', ['a', 'b']);

    expect(() => decodeCursor(cursor, '-createdAt', 2)).toThrow(/was issued for sort "name"/);
    expect(() => decodeCursor('not-a-cursor', 'name', 2)).toThrow(/is not one this api issued/);
    expect(() => decodeCursor(encodeCursor('name', ['a']), 'name', 2)).toThrow(/is not one this api issued/);
  });
});
