import { type XdsResourceType } from './xds-resource.entity';

/**
 * `nacked`: Envoy rejected the version (settled once it outlasted the transient window); `transient`: a
 * NACK that an ACK of the same version cleared within that window (resource ordering during a push).
 */
export const CONFIG_DELIVERY_STATUSES = ['sent', 'acked', 'nacked', 'transient', 'rolled_back'] as const;
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
  /** The event that reported the delivery. */
  readonly eventId: string | null;
  readonly settledAt: Date | null;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
