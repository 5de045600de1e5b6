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

/** Fields every versioned representation ends with. */
export const versionedViewFields = {
  version: z.number().int().describe('optimistic-lock version, also sent as the ETag W/"<version>"'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
};

export const labelsView = z.record(z.string(), z.string());
export const portRangeView = z.object({ start: z.number().int(), end: z.number().int() });

/** A page of a list: pass `nextCursor` as `cursor` for the next one; null on the last page. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
