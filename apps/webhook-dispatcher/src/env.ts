import {
  databaseUrlVariable,
  httpServerVariables,
  natsNamespaceVariable,
  natsUrlVariable,
} from '@envoy-fleet/telemetry/env';
import { z } from 'zod';

const settings = {
  ...httpServerVariables(8085),
  DATABASE_URL: databaseUrlVariable(),
};

/** The variables that name the message broker: read only when the app connects to it itself. */
const connections = {
  NATS_URL: natsUrlVariable(),
  NATS_NAMESPACE: natsNamespaceVariable(),
};

/** Every variable of the webhook-dispatcher run on its own. */
export const webhookDispatcherEnvSchema = z.object({ ...settings, ...connections });

/** The variables of the webhook-dispatcher run by the embedded launcher, which hands it the event bus. */
export const webhookDispatcherEmbeddedEnvSchema = z.object(settings);

export type WebhookDispatcherEnv = z.output<typeof webhookDispatcherEnvSchema>;
export type WebhookDispatcherEmbeddedEnv = z.output<typeof webhookDispatcherEmbeddedEnvSchema>;
