import { systemDatabaseUrlVariable } from '@envoy-fleet/db';
import {
  databaseUrlVariable,
  httpServerVariables,
  integerVariable,
  natsNamespaceVariable,
  natsUrlVariable,
  redisKeyPrefixVariable,
  redisUrlVariable,
} from '@envoy-fleet/telemetry/env';
import { z } from 'zod';
import { fleetSchedulingVariables } from './scheduling/fleet-settings';

const settings = {
  ...httpServerVariables(8082),
  DATABASE_URL: databaseUrlVariable(),
  DATABASE_SYSTEM_URL: systemDatabaseUrlVariable(),
  ...fleetSchedulingVariables,
  NACK_TRANSIENT_WINDOW_MS: integerVariable(100, 600_000)
    .default(2_000)
    .describe(
      'a NACK that an ACK of the same version clears within this many ms is transient: recorded, never announced',
    ),
  ROLLOUT_INTERVAL_MS: integerVariable(50, 60_000)
    .default(1_000)
    .describe('how often, in ms, running rollouts are observed and moved on (waves, gates, soak times)'),
  DRIFT_THRESHOLD_MS: integerVariable(0, 86_400_000)
    .default(60_000)
    .describe(
      "a proxy whose ACKed versions differ from its current snapshot's for longer than this many ms is reported drifted",
    ),
  DRIFT_CHECK_INTERVAL_MS: integerVariable(50, 3_600_000)
    .default(10_000)
    .describe('how often, in ms, one replica compares ACKed versions with the current snapshots'),
};

/** The variables that name the broker and the snapshot store: read only when the app connects itself. */
const connections = {
  NATS_URL: natsUrlVariable(),
  NATS_NAMESPACE: natsNamespaceVariable(),
  REDIS_URL: redisUrlVariable(),
  REDIS_KEY_PREFIX: redisKeyPrefixVariable(),
};

/** Every variable of the fleet-manager run on its own. */
export const fleetManagerEnvSchema = z.object({ ...settings, ...connections });

/** The variables of the fleet-manager run by the embedded launcher, which hands it the bus and the store. */
export const fleetManagerEmbeddedEnvSchema = z.object(settings);

export type FleetManagerEnv = z.output<typeof fleetManagerEnvSchema>;
export type FleetManagerEmbeddedEnv = z.output<typeof fleetManagerEmbeddedEnvSchema>;
