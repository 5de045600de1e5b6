import { z } from 'zod';

export const reloadRequestViewSchema = z.object({
  nodeId: z.string(),
  proxyId: z.uuid(),
  eventId: z.uuid().describe('the proxy.reload.requested event, as seen on GET /api/v1/events'),
  requestedAt: z.iso.datetime(),
});
export type ReloadRequestView = z.output<typeof reloadRequestViewSchema>;
