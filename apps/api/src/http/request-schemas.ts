import { type Labels } from '@envoy-fleet/domain';
import { z } from 'zod';

/** Path ids are UUIDs; anything else is a malformed request rather than a missing resource. */
export const uuidParam = z.uuid({ error: 'must be a UUID' });

/** The query string of a write: only `dryRun`. */
export const writeQuerySchema = z.strictObject({
  dryRun: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
});

/** Label syntax is checked by the domain rules (422), the shape here (400). */
export const labelsSchema = z.record(z.string(), z.string()).transform((labels): Labels => labels);

export const portRangeSchema = z.strictObject({ start: z.number().int(), end: z.number().int() });
