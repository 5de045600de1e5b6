import { z } from 'zod';
import { rolloutPlanSchema, rolloutViewSchema } from '../rollouts/rollout.dto';
import { configBindingViewSchema, labelSelectorSchema } from './config-binding.dto';

/**
 * `POST /configs/{id}/apply`: which proxies should run the config, as exactly one of a group, a list
 * of proxies or a label selector. `version`, when given, must be the config's newest version: applying
 * an older one means rolling the config back to it first. With `rollout`, the newest version is
 * delivered by a rollout (docs/rollouts.md) instead of reaching every proxy at once.
 */
export const configApplySchema = z
  .strictObject({
    groupId: z.uuid().optional(),
    proxyIds: z.array(z.uuid()).min(1).max(1000).optional(),
    selector: labelSelectorSchema.optional(),
    version: z.number().int().min(1).optional(),
    priority: z.number().int().min(-1_000_000).max(1_000_000).default(0),
    rollout: rolloutPlanSchema
      .optional()
      .describe('deliver the version in a rollout: all at once or in waves, gated on ACKs and health'),
  })
  .refine(
    (apply) =>
      [apply.groupId, apply.proxyIds, apply.selector].filter((target) => target !== undefined).length === 1,
    { message: 'name exactly one of groupId, proxyIds and selector' },
  );
export type ConfigApply = z.output<typeof configApplySchema>;

export const configApplyViewSchema = z.object({
  configId: z.uuid(),
  versionId: z.uuid(),
  version: z.number().int(),
  bindings: z.array(configBindingViewSchema).describe('the bindings created or re-pointed at the config'),
  rollout: rolloutViewSchema.nullable().describe('the rollout created, pending; null without `rollout`'),
});
export type ConfigApplyView = z.output<typeof configApplyViewSchema>;
