/** One type of the snapshot a stream is served, as the protocol state machines see it. */
export interface ServedType {
  /** Derived from content (the manifest's type version). */
  readonly version: string;
  /** Resource name → content hash. */
  readonly resources: ReadonlyMap<string, string>;
  /** Alias → resource name (delta subscriptions may use either). */
  readonly aliases: ReadonlyMap<string, string>;
}

/** What the state machines read of a snapshot: resource names and hashes per type, never bytes. */
export interface SnapshotView {
  type(typeUrl: string): ServedType;
}

/**
 * The hash the SotW state machine uses for a ClusterLoadAssignment it synthesizes, empty, for a requested
 * name the snapshot lacks: SotW has no not-found signal, and a cluster waiting for EDS never warms (A57).
 */
export const EMPTY_CLUSTER_LOAD_ASSIGNMENT = 'empty-cluster-load-assignment';

/** A resource in a response: its name, the hash of its bytes, and the aliases the client asked for it by. */
export interface ResponseResource {
  readonly name: string;
  readonly hash: string;
  readonly aliases?: readonly string[];
}

/** The state of one type on one stream, for CSDS and for the sync-status of events. */
export type SyncStatus = 'SYNCED' | 'STALE' | 'NACKED' | 'NOT_SENT';

export interface TypeStatus {
  readonly typeUrl: string;
  readonly status: SyncStatus;
  /** Version of the last response sent ('' before any). */
  readonly sentVersion: string;
  /** Version of the last response the client ACKed ('' before any). */
  readonly ackedVersion: string;
  /** Names the client holds (as far as the server knows), with the hash of what it was sent. */
  readonly resources: ReadonlyMap<string, string>;
  /** Requested names that the snapshot does not have. */
  readonly missing: readonly string[];
  readonly lastNack?: NackDetail;
}

export interface NackDetail {
  readonly nonce: string;
  /** The version the client says it uses (may be the rejected one, A46). */
  readonly version: string;
  /** The version of the rejected response. */
  readonly rejectedVersion: string;
  readonly errorCode: number;
  readonly errorMessage: string;
}

/** What a request meant, for events and metrics. */
export type RequestOutcome =
  | { readonly kind: 'subscription' }
  | { readonly kind: 'stale'; readonly nonce: string }
  | { readonly kind: 'ack'; readonly typeUrl: string; readonly nonce: string; readonly version: string }
  | { readonly kind: 'nack'; readonly typeUrl: string; readonly detail: NackDetail };
