import { type ConfigDocument } from '../values/config-document.value';
import { type Labels } from '../values/labels.value';

/** A named bundle of xDS resources whose working set lives in the resource tables. */
export interface Config {
  readonly id: string;
  readonly tenantId: string;
  /** Unique within the tenant. */
  readonly name: string;
  readonly description: string;
  readonly labels: Labels;
  /** Number of the newest version; 0 before the first one. */
  readonly latestVersion: number;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** An immutable, content-addressed snapshot of a config [FR-VC-001, FR-VC-003]. */
export interface ConfigVersion {
  readonly id: string;
  readonly tenantId: string;
  readonly configId: string;
  /** 1, 2, 3... per config. */
  readonly number: number;
  /** Lowercase hex SHA-256 of `configDocumentHashInput(document)`. */
  readonly contentHash: string;
  readonly document: ConfigDocument;
  readonly author: string;
  readonly message: string;
  readonly createdAt: Date;
}

export const CONTENT_HASH_PATTERN = /^[0-9a-f]{64}$/;
