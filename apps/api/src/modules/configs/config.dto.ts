import type { ConfigDocument, Labels, ValidationIssue } from '@envoy-fleet/domain';
import type { ConfigEntity, ConfigVersionEntity } from '@envoy-fleet/db';
import type { Operation } from 'fast-json-patch';
import { z } from 'zod';
import type { ListSpec } from '../../http/list-query';
import { type ProxyConfig, toProxyConfig } from './proxy-config';
import { maskDocument } from './secret-cipher';

export interface ConfigSummaryView {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly labels: Labels;
  /** The newest version's number. */
  readonly latestVersion: number;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A config with its newest version's document; secrets masked. */
export interface ConfigView extends ConfigSummaryView {
  readonly contentHash: string;
  readonly document: ProxyConfig;
}

/** The answer to a write: the config as stored and what changed from the previous version. */
export interface ConfigChangeView extends ConfigView {
  readonly change: {
    readonly fromVersion: number | null;
    readonly toVersion: number;
    readonly patch: readonly Operation[];
  };
}

export interface ConfigVersionSummaryView {
  readonly id: string;
  readonly configId: string;
  readonly number: number;
  readonly contentHash: string;
  readonly author: string;
  readonly message: string;
  readonly createdAt: string;
}

export interface ConfigVersionView extends ConfigVersionSummaryView {
  readonly document: ProxyConfig;
}

export interface ValidationReportView {
  readonly valid: boolean;
  readonly issues: readonly ValidationIssue[];
}

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
