import {
  httpServerVariables,
  natsNamespaceVariable,
  natsUrlVariable,
  portVariable,
  redisKeyPrefixVariable,
  redisUrlVariable,
} from '@envoy-fleet/telemetry/env';
import { z } from 'zod';
import { xdsEnvSchema } from './xds/xds-config';

const settings = {
  ...httpServerVariables(8083),
  XDS_PORT: portVariable()
    .default(18000)
    .describe('port of the xDS gRPC server (ADS) that Envoy proxies connect to'),
  ...xdsEnvSchema.shape,
};

/** The variables that name the broker and the snapshot store: read only when the app connects itself. */
const connections = {
  NATS_URL: natsUrlVariable(),
  NATS_NAMESPACE: natsNamespaceVariable(),
  REDIS_URL: redisUrlVariable(),
  REDIS_KEY_PREFIX: redisKeyPrefixVariable(),
};

/** Every variable of the xds-server run on its own. */
export const xdsServerEnvSchema = z.object({ ...settings, ...connections });

/** The variables of the xds-server run by the embedded launcher, which hands it the bus and the store. */
export const xdsServerEmbeddedEnvSchema = z.object(settings);

export type XdsServerEnv = z.output<typeof xdsServerEnvSchema>;
export type XdsServerEmbeddedEnv = z.output<typeof xdsServerEmbeddedEnvSchema>;
