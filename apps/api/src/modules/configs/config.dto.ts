import type { ConfigDocument } from '@envoy-fleet/domain';
import type { ConfigEntity, ConfigVersionEntity } from '@envoy-fleet/db';
import { z } from 'zod';
import type { ListSpec } from '../../http/list-query';
import { labelsView, versionedViewFields } from '../../http/request-schemas';
import { type ProxyConfig, proxyConfigViewSchema, toProxyConfig } from './proxy-config';
import { maskDocument } from './secret-cipher';

export const configSummaryViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  labels: labelsView,
  latestVersion: z.number().int().describe("the newest version's number"),
  ...versionedViewFields,
});
export type ConfigSummaryView = z.output<typeof configSummaryViewSchema>;

/** A config with its newest version's document; secrets masked. */
export const configViewSchema = configSummaryViewSchema.extend({
  contentHash: z.string().describe("SHA-256 of the newest version's canonical content"),
  document: proxyConfigViewSchema,
});
export type ConfigView = z.output<typeof configViewSchema>;

const jsonPatchOperation = z
  .object({ op: z.string(), path: z.string(), value: z.unknown().optional(), from: z.string().optional() })
  .describe('an RFC 6902 JSON Patch operation');

/** The answer to a write: the config as stored and what changed from the previous version. */
export const configChangeViewSchema = configViewSchema.extend({
  change: z.object({
    fromVersion: z.number().int().nullable(),
    toVersion: z.number().int(),
    patch: z.array(jsonPatchOperation),
  }),
});
export type ConfigChangeView = z.output<typeof configChangeViewSchema>;

export const configVersionSummaryViewSchema = z.object({
  id: z.uuid(),
  configId: z.uuid(),
  number: z.number().int(),
  contentHash: z.string(),
  author: z.string().describe('who made the version: api_key:<id> or user:<subject>'),
  message: z.string(),
  createdAt: z.iso.datetime(),
});
export type ConfigVersionSummaryView = z.output<typeof configVersionSummaryViewSchema>;

export const configVersionViewSchema = configVersionSummaryViewSchema.extend({
  document: proxyConfigViewSchema,
});
export type ConfigVersionView = z.output<typeof configVersionViewSchema>;

export const validationReportViewSchema = z.object({
  valid: z.boolean(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })),
});
export type ValidationReportView = z.output<typeof validationReportViewSchema>;

export const configDiffViewSchema = z.object({
  patch: z.array(jsonPatchOperation),
  unified: z.string().describe('the change as a unified diff of the two documents in YAML'),
});

export function configSummaryView(config: ConfigEntity): ConfigSummaryView {
  return {
    id: config.id,
    name: config.name,
    description: config.description,
    labels: config.labels,
    latestVersion: config.latestVersion,
    version: config.version,
    createdAt: config.createdAt.toISOString(),
    updatedAt: config.updatedAt.toISOString(),
  };
}

/** The document clients read: secrets masked. `sealed` is the document as stored. */
export function maskedProxyConfig(config: ConfigEntity, sealed: ConfigDocument): ProxyConfig {
  return toProxyConfig(config, maskDocument(sealed));
}

export function configVersionSummaryView(version: ConfigVersionEntity): ConfigVersionSummaryView {
  return {
    id: version.id,
    configId: version.configId,
    number: version.number,
    contentHash: version.contentHash,
    author: version.author,
    message: version.message,
    createdAt: version.createdAt.toISOString(),
  };
}

export const CONFIG_LIST: ListSpec = {
  sortable: {
    name: { column: 'name', kind: 'text' },
    createdAt: { column: 'created_at', kind: 'timestamp' },
    updatedAt: { column: 'updated_at', kind: 'timestamp' },
  },
  defaultSort: 'name',
  filters: { name: 'name' },
  labels: true,
};

export const CONFIG_VERSION_LIST: ListSpec = {
  sortable: {
    number: { column: 'number', kind: 'integer' },
    createdAt: { column: 'created_at', kind: 'timestamp' },
  },
  defaultSort: '-number',
  filters: { author: 'author' },
  labels: false,
};

export const versionNumberParam = z.coerce.number().int().min(1);

export const diffQuerySchema = z.strictObject({ from: versionNumberParam, to: versionNumberParam });
export type DiffQuery = z.output<typeof diffQuerySchema>;

/** `Change-Message` header: the message recorded with the version a write makes. */
export const CHANGE_MESSAGE_HEADER = 'change-message';
