import { z } from 'zod';

const NODE_ID = /^[A-Za-z0-9._:-]{1,253}$/;

export const snapshotRebuildRequestSchema = z
  .strictObject({
    nodeIds: z
      .array(z.string().regex(NODE_ID, 'expected an Envoy node id'))
      .min(1)
      .max(1000)
      .refine((ids) => new Set(ids).size === ids.length, 'lists a node id twice')
      .optional()
      .describe('the proxies to serve again'),
    groupId: z.uuid().optional().describe('a proxy group: its proxies and those of its descendant groups'),
  })
  .refine((body) => body.nodeIds === undefined || body.groupId === undefined, {
    message: 'name proxies (nodeIds) or a group (groupId), not both',
    path: ['groupId'],
  })
  .describe("the scope of the rebuild; an empty body rebuilds every proxy of the caller's tenant");
export type SnapshotRebuildRequest = z.output<typeof snapshotRebuildRequestSchema>;

export const snapshotRebuildViewSchema = z.object({
  requestId: z.uuid().describe('names the rebuild in fleet-manager’s snapshot.rebuild.completed'),
  eventId: z.uuid().describe('the snapshot.rebuild.requested event, as seen on GET /api/v1/events'),
  scope: z.enum(['tenant', 'proxies', 'group']),
  nodeIds: z
    .array(z.string())
    .describe('the proxies fleet-manager checks are served after the rebuild; empty for the tenant'),
  requestedAt: z.iso.datetime(),
});
export type SnapshotRebuildView = z.output<typeof snapshotRebuildViewSchema>;
