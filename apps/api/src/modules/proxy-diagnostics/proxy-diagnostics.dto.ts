import { z } from 'zod';

const booleanText = z.enum(['true', 'false']).transform((text) => text === 'true');

export const logsQuerySchema = z.strictObject({
  follow: booleanText.default(false),
  tail: z.coerce.number().int().min(0).max(10_000).default(100),
  since: z.iso.datetime({ offset: true }).optional(),
});
export type LogsQuery = z.output<typeof logsQuerySchema>;

export const metricsQuerySchema = z.strictObject({
  filter: z
    .string()
    .min(1)
    .max(1_000)
    .refine(isRegExp, 'must be a regular expression (JavaScript syntax)')
    .optional(),
});
export type MetricsQuery = z.output<typeof metricsQuerySchema>;

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
