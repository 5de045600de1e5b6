import { type XdsResourceType } from './xds-resource.entity';

export const CONFIG_DELIVERY_STATUSES = ['sent', 'acked', 'nacked', 'rolled_back'] as const;
export type ConfigDeliveryStatus = (typeof CONFIG_DELIVERY_STATUSES)[number];

/** Envoy's `error_detail` (a google.rpc.Status) from a NACK. */
export interface XdsErrorDetail {
  readonly code: number;
  readonly message: string;
}

/** One delivery of one resource type's version to one proxy, and what Envoy made of it. */
export interface ConfigHistoryEntry {
  readonly id: string;
  readonly tenantId: string;
  readonly proxyId: string;
  /** Null when the config version was deleted after the delivery. */
  readonly configVersionId: string | null;
  readonly rolloutId: string | null;
  readonly resourceType: XdsResourceType;
  /** The xDS `version_info` sent. */
  readonly xdsVersion: string;
  readonly nonce: string | null;
  readonly status: ConfigDeliveryStatus;
  readonly errorDetail: XdsErrorDetail | null;
  readonly sentAt: Date;
  readonly respondedAt: Date | null;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
