import { z } from 'zod';
import { jsonSchemaOf } from './zod-json-schema';

describe('jsonSchemaOf', () => {
  it('points the references of a JSON value at the JsonValue component and drops $defs', () => {
    const resources = z.object({ clusters: z.array(z.record(z.string(), z.json())) });

    expect(jsonSchemaOf(resources, 'input')).toEqual({
      type: 'object',
      properties: {
        clusters: {
          type: 'array',
          items: {
            type: 'object',
            propertyNames: { type: 'string' },
            additionalProperties: { $ref: '#/components/schemas/JsonValue' },
          },
        },
      },
      required: ['clusters'],
    });
  });

  it('refuses a recursive schema other than a JSON value', () => {
    interface Tree {
      readonly children: Tree[];
    }
    const tree: z.ZodType<Tree> = z.object({ children: z.array(z.lazy(() => tree)) });

    expect(() => jsonSchemaOf(z.object({ root: tree }), 'output')).toThrow(
      /is not a JSON value: only z.json\(\) may be recursive/,
    );
  });
});
