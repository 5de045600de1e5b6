import { isDeepStrictEqual } from 'node:util';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';

/** The component that stands for any JSON value (`z.json()`, the one recursive schema of the api). */
export const JSON_VALUE_SCHEMA_NAME = 'JsonValue';
const JSON_VALUE_REFERENCE = `#/components/schemas/${JSON_VALUE_SCHEMA_NAME}`;

/**
 * Not recursive: a recursive union of itself is valid JSON Schema, but code generators turn it into a
 * type that references itself, which TypeScript rejects.
 */
export const jsonValueSchema: SchemaObject = {
  description: 'any JSON value: string, number, boolean, null, array or object',
};

/** How zod writes `z.json()` in `$defs`, with its references to itself pointing at the component. */
const recursiveJsonValue = withReferences(
  toJsonSchema(z.json(), 'output'),
  new Map([['#', JSON_VALUE_REFERENCE]]),
);

/**
 * A zod schema as the JSON Schema (2020-12, the dialect of OpenAPI 3.1) of what the api accepts
 * (`input`: defaults optional, before transforms) or returns (`output`). zod puts a recursive schema in
 * the schema's own `$defs`, but inside the OpenAPI document `#/$defs/...` would resolve against the
 * document's root: the references point at the `JsonValue` component instead.
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): SchemaObject {
  const { $defs: definitions = {}, ...jsonSchema } = toJsonSchema(schema, io);
  const references = new Map(
    Object.keys(definitions).map((name) => [`#/$defs/${name}`, JSON_VALUE_REFERENCE]),
  );
  for (const [name, definition] of Object.entries(definitions)) {
    if (!isDeepStrictEqual(withReferences(definition, references), recursiveJsonValue)) {
      throw new Error(`recursive schema ${name} is not a JSON value: only z.json() may be recursive`);
    }
  }
  return withReferences(jsonSchema, references);
}

function toJsonSchema(
  schema: z.ZodType,
  io: 'input' | 'output',
): Record<string, unknown> & {
  $defs?: Record<string, unknown>;
} {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
  });
  return jsonSchema;
}

function withReferences(value: unknown, references: ReadonlyMap<string, string>): SchemaObject {
  return JSON.parse(JSON.stringify(value), (key, nested: unknown) =>
    key === '$ref' && typeof nested === 'string' ? (references.get(nested) ?? nested) : nested,
  ) as SchemaObject;
}
