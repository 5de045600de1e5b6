import { z } from 'zod';

export const configReleaseViewSchema = z.object({
  configId: z.uuid(),
  version: z.number().int().min(1),
  versionId: z.uuid(),
  nacksReleased: z
    .number()
    .int()
    .min(1)
    .describe('the lasting NACKs of the version this release covers (one per proxy and resource type)'),
  nodeIds: z.array(z.string()).describe('the proxies whose NACKs were released'),
  releasedAt: z.iso.datetime(),
  releasedBy: z.string().describe('the principal that released it'),
  eventId: z.uuid().describe('the config.version.released event, as seen on GET /api/v1/events'),
});
export type ConfigReleaseView = z.output<typeof configReleaseViewSchema>;
