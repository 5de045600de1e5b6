import { type DeltaDiscoveryRequest, type Node, type Status } from '@envoy-fleet/proto/xds';
import { isWildcardType, type XdsTypeUrl } from '../xds/xds-types';

const WILDCARD = '*';

/**
 * One type's state on a delta ADS stream, after Envoy's DeltaSubscriptionState: the versions of the
 * resources it holds (sent back as `initial_resource_versions` on a new stream), names it asked for
 * and still waits for, and the subscribe/unsubscribe changes not yet sent. A wildcard type starts
 * with the legacy wildcard request (both lists empty) and resubscribes with `*` on later streams.
 */
export class DeltaSubscription {
  /** Requested names → version held, or undefined while waiting for the server. */
  private readonly requested = new Map<string, string | undefined>();
  /** Resources that came through the wildcard subscription. */
  private readonly wildcardResources = new Map<string, string>();
  private readonly added = new Set<string>();
  private readonly removed = new Set<string>();
  private legacyWildcard: boolean;
  private sentOnStream = false;

  constructor(readonly typeUrl: XdsTypeUrl) {
    this.legacyWildcard = isWildcardType(typeUrl);
  }

  /** Sets the wanted names of a named type; returns whether a request must go out. */
  setNames(names: Iterable<string>): boolean {
    if (isWildcardType(this.typeUrl)) return false;
    const wanted = new Set(names);
    for (const name of wanted) {
      if (!this.requested.has(name)) {
        this.requested.set(name, undefined);
        this.removed.delete(name);
        this.added.add(name);
      }
    }
    for (const name of [...this.requested.keys()]) {
      if (!wanted.has(name)) {
        this.requested.delete(name);
        this.added.delete(name);
        this.removed.add(name);
      }
    }
    return this.added.size > 0 || this.removed.size > 0;
  }

  get resourceNames(): readonly string[] {
    return [...this.requested.keys()].filter((name) => name !== WILDCARD).sort();
  }

  resetStream(): void {
    this.sentOnStream = false;
  }

  /** Whether the next request on this stream would say anything (the first one always does). */
  hasPendingRequest(): boolean {
    return !this.sentOnStream || this.added.size > 0 || this.removed.size > 0;
  }

  /** Records what an accepted response brought; a NACKed response changes no versions. */
  accept(resources: readonly { name: string; version: string }[], removedNames: readonly string[]): void {
    const wildcard = this.requested.has(WILDCARD) || this.legacyWildcard;
    for (const { name, version } of resources) {
      if (this.requested.has(name)) this.requested.set(name, version);
      else if (wildcard) this.wildcardResources.set(name, version);
    }
    for (const name of removedNames) {
      // Still wanted: wait for the server again; it is left out of initial_resource_versions.
      if (this.requested.has(name)) this.requested.set(name, undefined);
      else this.wildcardResources.delete(name);
    }
  }

  /** A request carrying the pending subscription changes (and, first on a stream, the full state). */
  request(node: Node | undefined, ack?: { nonce: string; errorDetail?: Status }): DeltaDiscoveryRequest {
    const initialResourceVersions: Record<string, string> = {};
    let subscribe: string[];
    if (!this.sentOnStream) {
      if (this.legacyWildcard && this.wildcardResources.size === 0 && !this.requested.has(WILDCARD)) {
        // First stream of a wildcard type: the legacy wildcard request. Later streams name `*`.
        this.requested.set(WILDCARD, undefined);
        subscribe = [];
      } else {
        if (this.legacyWildcard) this.requested.set(WILDCARD, undefined);
        subscribe = [...this.requested.keys()];
      }
      for (const [name, version] of this.requested) {
        if (version !== undefined) initialResourceVersions[name] = version;
      }
      for (const [name, version] of this.wildcardResources) initialResourceVersions[name] = version;
      this.removed.clear();
    } else {
      subscribe = [...this.added];
    }
    const unsubscribe = [...this.removed];
    this.added.clear();
    this.removed.clear();
    this.sentOnStream = true;
    return {
      node,
      typeUrl: this.typeUrl,
      resourceNamesSubscribe: subscribe.sort(),
      resourceNamesUnsubscribe: unsubscribe.sort(),
      resourceLocatorsSubscribe: [],
      resourceLocatorsUnsubscribe: [],
      initialResourceVersions,
      responseNonce: ack?.nonce ?? '',
      errorDetail: ack?.errorDetail,
    };
  }

  /** Versions held, for `state()`: requested and wildcard resources alike. */
  versions(): Map<string, string> {
    const versions = new Map(this.wildcardResources);
    for (const [name, version] of this.requested) {
      if (name !== WILDCARD && version !== undefined) versions.set(name, version);
    }
    return versions;
  }
}
