import { DEFAULT_STOP_GRACE_SECONDS } from '@envoy-fleet/domain';
import { z } from 'zod';

/** `POST /proxies/{node_id}/restart`: how long Envoy may drain between SIGTERM and SIGKILL. */
export const restartRequestSchema = z
  .strictObject({
    graceSeconds: z
      .number()
      .int()
      .min(0)
      .max(3_600)
      .default(DEFAULT_STOP_GRACE_SECONDS)
      .describe('seconds between SIGTERM and SIGKILL, while Envoy drains'),
  })
  .prefault({});
export type RestartRequest = z.output<typeof restartRequestSchema>;

export const restartRequestViewSchema = z.object({
  nodeId: z.string(),
  proxyId: z.uuid(),
  vmId: z.uuid().describe('the node (VM) whose agent restarts the container'),
  commandId: z
    .uuid()
    .describe('the node-agent command; its result arrives as the agent.command.completed event'),
  graceSeconds: z.number().int(),
  requestedAt: z.iso.datetime(),
});
export type RestartRequestView = z.output<typeof restartRequestViewSchema>;
