import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';

/**
 * A zod schema as the JSON Schema (2020-12, the dialect of OpenAPI 3.1) of what the api accepts
 * (`input`: defaults optional, before transforms) or returns (`output`).
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): SchemaObject {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
  });
  return jsonSchema as SchemaObject;
}
