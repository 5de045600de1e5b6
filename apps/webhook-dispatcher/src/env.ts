import { systemDatabaseUrlVariable } from '@envoy-fleet/db';
import {
  booleanVariable,
  databaseUrlVariable,
  httpServerVariables,
  integerVariable,
  natsNamespaceVariable,
  natsUrlVariable,
} from '@envoy-fleet/telemetry/env';
import { z } from 'zod';
import { parseCidrList } from './delivery/target-policy';

/** 32 bytes, base64: the key the api seals signing secrets with. */
const encryptionKeyVariable = () =>
  z
    .string()
    .refine(
      (value) => Buffer.from(value, 'base64').length === 32,
      'expected 32 bytes encoded in base64 (openssl rand -base64 32)',
    );

const cidrListVariable = () =>
  z.string().transform((value, context) => {
    try {
      return parseCidrList(value);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

const settings = {
  ...httpServerVariables(8085),
  DATABASE_URL: databaseUrlVariable(),
  DATABASE_SYSTEM_URL: systemDatabaseUrlVariable(),
  SECRET_ENCRYPTION_KEY: encryptionKeyVariable()
    .optional()
    .describe(
      "the api's SECRET_ENCRYPTION_KEY, which opens the signing secrets; without it every attempt fails (and is retried)",
    ),
  WEBHOOK_TIMEOUT_MS: integerVariable(100, 120_000)
    .default(10_000)
    .describe('how long one attempt may take, from connecting to the end of the response, in ms'),
  WEBHOOK_CONCURRENCY: integerVariable(1, 1_000).default(32).describe('attempts this replica sends at once'),
  WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION: integerVariable(1, 1_000)
    .default(8)
    .describe(
      'attempts to one subscription this replica sends at once, so that a slow receiver leaves room for others',
    ),
  WEBHOOK_POLL_INTERVAL_MS: integerVariable(50, 60_000)
    .default(1_000)
    .describe(
      'how often, in ms, the replica looks for due attempts (retries, replays, other replicas’ work)',
    ),
  WEBHOOK_RETRY_BASE_MS: integerVariable(10, 3_600_000)
    .default(30_000)
    .describe('delay before the second attempt, in ms; doubled for each further attempt, with jitter'),
  WEBHOOK_RETRY_MAX_MS: integerVariable(10, 604_800_000)
    .default(21_600_000)
    .describe('longest delay between two attempts, in ms (also caps what a Retry-After header asks for)'),
  WEBHOOK_ALLOW_LOOPBACK: booleanVariable()
    .default(false)
    .describe('deliver to loopback addresses (127.0.0.0/8, ::1): for development and tests only'),
  WEBHOOK_DENY_CIDRS: cidrListVariable()
    .default([])
    .describe(
      'further networks never delivered to, comma-separated CIDRs (e.g. 10.0.0.0/8,fc00::/7); link-local and metadata addresses always are',
    ),
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
