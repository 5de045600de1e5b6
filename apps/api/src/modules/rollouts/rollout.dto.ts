import { DEFAULT_ROLLOUT_GATES, ROLLOUT_STATES, ROLLOUT_STRATEGIES } from '@envoy-fleet/domain';
import type { RolloutEntity } from '@envoy-fleet/db';
import { z } from 'zod';
import type { ListSpec } from '../../http/list-query';
import { versionedViewFields } from '../../http/request-schemas';

const waveSchema = z.union([
  z.strictObject({
    proxies: z.number().int().min(1).describe('a canary wave: this many proxies in all (cumulative)'),
  }),
  z.strictObject({
    percent: z.number().int().min(1).max(100).describe('this share of the proxies in all (cumulative)'),
  }),
]);

/**
 * How a rollout delivers the config's newest version (`POST /configs/{id}/apply` with `rollout`): the
 * shape is checked here (400), the plan's rules (rising waves ending at 100 percent, counts before
 * percentages) by the domain (422). Gates left out take their defaults.
 */
export const rolloutPlanSchema = z.strictObject({
  strategy: z.enum(ROLLOUT_STRATEGIES),
  waves: z
    .array(waveSchema)
    .max(100)
    .default([])
    .describe('for strategy waves: canary counts, then cumulative percentages ending at 100'),
  gates: z
    .strictObject({
      bakeSeconds: z
        .number()
        .int()
        .min(0)
        .max(86_400)
        .default(DEFAULT_ROLLOUT_GATES.bakeSeconds)
        .describe('how long every proxy of a wave must stay ACKed and healthy before the next wave'),
      maxNackedRatio: z
        .number()
        .min(0)
        .max(1)
        .default(DEFAULT_ROLLOUT_GATES.maxNackedRatio)
        .describe('the highest share of the proxies reached that may NACK (0: any NACK fails the gate)'),
      minHealthyRatio: z
        .number()
        .min(0)
        .max(1)
        .default(DEFAULT_ROLLOUT_GATES.minHealthyRatio)
        .describe('the lowest share of the proxies reached that must be connected and healthy'),
      autoRollback: z
        .boolean()
        .default(DEFAULT_ROLLOUT_GATES.autoRollback)
        .describe('a failed gate rolls every proxy reached back to the previous version (else: pauses)'),
    })
    .prefault({}),
});
export type RolloutPlan = z.output<typeof rolloutPlanSchema>;

export const rolloutViewSchema = z.object({
  id: z.uuid(),
  configId: z.uuid(),
  configVersionId: z.uuid().describe('the version the rollout delivers'),
  baseVersionId: z
    .uuid()
    .nullable()
    .describe('the version served before it, where aborting or rolling back returns'),
  strategy: z.enum(ROLLOUT_STRATEGIES),
  waves: z.array(z.union([z.object({ proxies: z.number() }), z.object({ percent: z.number() })])),
  gates: z.object({
    bakeSeconds: z.number(),
    maxNackedRatio: z.number(),
    minHealthyRatio: z.number(),
    autoRollback: z.boolean(),
  }),
  state: z.enum(ROLLOUT_STATES),
  currentWave: z.number().int().describe('index of the wave in progress'),
  waveProxies: z
    .array(z.array(z.uuid()))
    .describe('the proxy ids of each wave, fixed when the rollout starts'),
  waveSettledAt: z.iso
    .datetime()
    .nullable()
    .describe('since when every proxy reached has ACKed: the soak time runs from here'),
  reason: z.string().nullable().describe('why it was paused, aborted or rolled back'),
  createdBy: z.string(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  ...versionedViewFields,
});
export type RolloutView = z.output<typeof rolloutViewSchema>;

export function rolloutView(rollout: RolloutEntity): RolloutView {
  return {
    id: rollout.id,
    configId: rollout.configId,
    configVersionId: rollout.configVersionId,
    baseVersionId: rollout.baseVersionId,
    strategy: rollout.strategy,
    waves: rollout.waves,
    gates: rollout.gates,
    state: rollout.state,
    currentWave: rollout.currentWave,
    waveProxies: rollout.waveProxies,
    waveSettledAt: rollout.waveSettledAt?.toISOString() ?? null,
    reason: rollout.reason,
    createdBy: rollout.createdBy,
    startedAt: rollout.startedAt?.toISOString() ?? null,
    finishedAt: rollout.finishedAt?.toISOString() ?? null,
    version: rollout.version,
    createdAt: rollout.createdAt.toISOString(),
    updatedAt: rollout.updatedAt.toISOString(),
  };
}

export const ROLLOUT_LIST: ListSpec = {
  sortable: {
    createdAt: { column: 'created_at', kind: 'timestamp' },
    updatedAt: { column: 'updated_at', kind: 'timestamp' },
  },
  defaultSort: '-createdAt',
  filters: { configId: 'config_id', state: 'state' },
  labels: false,
};
