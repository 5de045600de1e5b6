import {
  CLUSTER_TYPE,
  compareAdsOrder,
  ENDPOINT_TYPE,
  hasLegacyWildcard,
  mayPrecedeAckOf,
  referrersOf,
  WILDCARD,
} from './resource-types';
import { ResponseTracker } from './response-tracker';
import type { RequestOutcome, ResponseResource, ServedType, SnapshotView, TypeStatus } from './snapshot-view';

export interface DeltaRequest {
  readonly typeUrl: string;
  readonly subscribe: readonly string[];
  readonly unsubscribe: readonly string[];
  /** Only read on the first request for a type on the stream (XP). */
  readonly initialResourceVersions: ReadonlyMap<string, string>;
  readonly responseNonce: string;
  readonly errorDetail?: { readonly code: number; readonly message: string };
}

export interface DeltaResponse {
  readonly typeUrl: string;
  /** Informational (XP): the manifest's type version. */
  readonly systemVersion: string;
  readonly nonce: string;
  /** Sorted by name; each one's version is its content hash. */
  readonly resources: readonly ResponseResource[];
  /** Sorted. */
  readonly removed: readonly string[];
}

class DeltaTypeState {
  readonly tracker = new ResponseTracker();
  wildcard = false;
  /** Explicit subscriptions, by name or alias. */
  readonly names = new Set<string>();
  /** Resource name → the version (content hash) the client holds. */
  readonly known = new Map<string, string>();
  /** Subscribed names already reported absent in `removed_resources`. */
  readonly reportedMissing = new Set<string>();
  /** Names to send even if the client holds them at the current version (re-subscription, envoy#22418). */
  readonly forced = new Set<string>();
  /** Every resource in scope is sent again (a wildcard subscribed anew). */
  forceAll = false;
  /** Names unsubscribed while the wildcard still covers the type: the client needs to be told (XP). */
  readonly confirm = new Set<string>();
  /** The first wildcard request is answered even when there is nothing (go-control-plane#465). */
  answerRequired = false;

  constructor(readonly typeUrl: string) {}
}

interface Plan {
  readonly resources: ResponseResource[];
  readonly removed: string[];
}

/**
 * The incremental protocol of one stream (delta ADS or a single-type delta service), without I/O: the
 * same pull model as {@link SotwStream}. Per-resource versions are content hashes, so a client resuming
 * with `initial_resource_versions` on any replica gets only what changed and the names that vanished.
 */
export class DeltaStream {
  private view: SnapshotView | undefined;
  private readonly types = new Map<string, DeltaTypeState>();
  /** The values of `types` in ADS order. */
  private readonly ordered: DeltaTypeState[] = [];

  constructor(private readonly nextNonce: () => string) {}

  setSnapshot(view: SnapshotView): void {
    this.view = view;
  }

  handleRequest(request: DeltaRequest): RequestOutcome {
    let state = this.types.get(request.typeUrl);
    const first = state === undefined;
    let outcome: RequestOutcome = { kind: 'subscription' };
    if (state === undefined) {
      state = new DeltaTypeState(request.typeUrl);
      this.types.set(request.typeUrl, state);
      this.ordered.push(state);
      this.ordered.sort((a, b) => compareAdsOrder(a.typeUrl, b.typeUrl));
      for (const [name, version] of request.initialResourceVersions) state.known.set(name, version);
      if (
        request.subscribe.length === 0 &&
        request.unsubscribe.length === 0 &&
        hasLegacyWildcard(request.typeUrl)
      ) {
        state.wildcard = true;
        state.answerRequired = true;
      }
    } else {
      outcome = state.tracker.classify({
        typeUrl: request.typeUrl,
        responseNonce: request.responseNonce,
        clientVersion: '',
        errorDetail: request.errorDetail,
      });
    }
    // Subscription changes count even on a request with a stale nonce (envoy PR#16659).
    this.subscribe(state, request.subscribe, first);
    this.unsubscribe(state, request.unsubscribe);
    return outcome;
  }

  nextResponse(): DeltaResponse | undefined {
    if (this.view === undefined) return undefined;
    // The same order as SotW (SotwStream): nothing overtakes a type with something to write, and only
    // the children of a type whose response added resources go out before its ACK.
    let adding: DeltaTypeState | undefined;
    for (const state of this.ordered) {
      if (adding !== undefined && !mayPrecedeAckOf(adding.typeUrl, state.typeUrl)) return undefined;
      const plan = this.planOf(state);
      if (this.worthSending(state, plan))
        return state.tracker.awaitingAck ? undefined : this.take(state, plan);
      if (adding === undefined && state.tracker.awaitingAckOfAdded) adding = state;
    }
    return undefined;
  }

  status(): TypeStatus[] {
    return this.ordered.map((state) => {
      const { tracker } = state;
      const served = this.view?.type(state.typeUrl);
      const missing =
        served === undefined ? [] : [...state.names].filter((name) => resolve(served, name) === undefined);
      let status: TypeStatus['status'] = 'SYNCED';
      if (!tracker.sentAny) status = 'NOT_SENT';
      else if (tracker.nacked) status = 'NACKED';
      else if (tracker.awaitingAck || this.worthSending(state, this.planOf(state))) status = 'STALE';
      return {
        typeUrl: state.typeUrl,
        status,
        sentVersion: tracker.sentVersion,
        ackedVersion: tracker.ackedVersion,
        resources: new Map(state.known),
        missing,
        lastNack: tracker.lastNack,
      };
    });
  }

  private subscribe(state: DeltaTypeState, names: readonly string[], first: boolean): void {
    for (const name of names) {
      if (name === WILDCARD) {
        if (first) state.answerRequired = true;
        else if (!state.wildcard) state.forceAll = true;
        state.wildcard = true;
        continue;
      }
      state.names.add(name);
      state.reportedMissing.delete(name);
      state.confirm.delete(name);
      // On the first request the client said what it holds; later, a subscription means "send it".
      if (!first) state.forced.add(name);
    }
  }

  private unsubscribe(state: DeltaTypeState, names: readonly string[]): void {
    const served = this.view?.type(state.typeUrl);
    for (const name of names) {
      if (name === WILDCARD) {
        state.wildcard = false;
        state.forceAll = false;
        for (const known of [...state.known.keys()]) {
          if (!this.explicitlyCovers(state, served, known)) state.known.delete(known);
        }
        continue;
      }
      // Unsubscribing a name never subscribed is ignored (XP).
      if (!state.names.delete(name)) continue;
      state.reportedMissing.delete(name);
      state.forced.delete(name);
      if (state.wildcard) {
        state.confirm.add(name);
        continue;
      }
      const resourceName = served === undefined ? name : (resolve(served, name) ?? name);
      if (!this.explicitlyCovers(state, served, resourceName)) state.known.delete(resourceName);
    }
  }

  private explicitlyCovers(
    state: DeltaTypeState,
    served: ServedType | undefined,
    resourceName: string,
  ): boolean {
    for (const name of state.names) {
      if (name === resourceName || (served !== undefined && served.aliases.get(name) === resourceName))
        return true;
    }
    return false;
  }

  private planOf(state: DeltaTypeState): Plan {
    const served = this.viewOrThrow().type(state.typeUrl);
    const scope = new Map<string, string[]>();
    const missing = new Set<string>();
    if (state.wildcard) for (const name of served.resources.keys()) scope.set(name, []);
    for (const name of state.names) {
      const resourceName = resolve(served, name);
      if (resourceName === undefined) missing.add(name);
      else if (resourceName === name) scope.set(name, scope.get(name) ?? []);
      else scope.set(resourceName, [...(scope.get(resourceName) ?? []), name]);
    }

    const resources: ResponseResource[] = [];
    for (const [name, aliases] of scope) {
      const hash = served.resources.get(name) as string;
      const asked =
        state.forceAll ||
        state.forced.has(name) ||
        state.confirm.has(name) ||
        aliases.some((alias) => state.forced.has(alias));
      if (asked || state.known.get(name) !== hash) {
        resources.push(aliases.length === 0 ? { name, hash } : { name, hash, aliases });
      }
    }

    const holdRemovals = !this.referrersSettled(state.typeUrl);
    const removed = new Set<string>();
    for (const name of missing) {
      const held = state.known.has(name);
      if (held && holdRemovals) continue;
      if (held || !state.reportedMissing.has(name) || state.forced.has(name)) removed.add(name);
    }
    for (const name of state.known.keys()) {
      if (!scope.has(name) && !missing.has(name) && !holdRemovals) removed.add(name);
    }
    for (const name of state.confirm)
      if (!scope.has(name) && resolve(served, name) === undefined) removed.add(name);

    resources.sort((a, b) => compareNames(a.name, b.name));
    return { resources, removed: [...removed].sort(compareNames) };
  }

  private worthSending(state: DeltaTypeState, plan: Plan): boolean {
    return state.answerRequired || plan.resources.length > 0 || plan.removed.length > 0;
  }

  private referrersSettled(typeUrl: string): boolean {
    return referrersOf(typeUrl).every((referrer) => {
      const state = this.types.get(referrer);
      return state === undefined || (state.tracker.settled && !this.worthSending(state, this.planOf(state)));
    });
  }

  private take(state: DeltaTypeState, plan: Plan): DeltaResponse {
    const served = this.viewOrThrow().type(state.typeUrl);
    const nonce = this.nextNonce();
    state.tracker.sent(
      nonce,
      served.version,
      plan.resources.some((resource) => !state.known.has(resource.name)),
    );
    for (const resource of plan.resources) {
      state.known.set(resource.name, resource.hash);
      state.forced.delete(resource.name);
      for (const alias of resource.aliases ?? []) state.forced.delete(alias);
    }
    for (const name of plan.removed) {
      state.known.delete(name);
      state.forced.delete(name);
      if (state.names.has(name)) state.reportedMissing.add(name);
    }
    state.confirm.clear();
    state.forceAll = false;
    state.answerRequired = false;
    if (state.typeUrl === CLUSTER_TYPE)
      this.requireEndpointsAgain(plan.resources.map((resource) => resource.name));
    return {
      typeUrl: state.typeUrl,
      systemVersion: served.version,
      nonce,
      resources: plan.resources,
      removed: plan.removed,
    };
  }

  /** Cluster warming ends only on an EDS response (go-control-plane#245): resend the same-named assignments. */
  private requireEndpointsAgain(clusterNames: readonly string[]): void {
    const endpoints = this.types.get(ENDPOINT_TYPE);
    if (endpoints === undefined) return;
    const served = this.viewOrThrow().type(ENDPOINT_TYPE).resources;
    for (const name of clusterNames) {
      if ((endpoints.wildcard || endpoints.names.has(name)) && served.has(name)) endpoints.forced.add(name);
    }
  }

  private viewOrThrow(): SnapshotView {
    if (this.view === undefined) throw new Error('the stream has no snapshot yet');
    return this.view;
  }
}

/** The resource a subscribed name designates: itself, or the resource it is an alias of. */
function resolve(served: ServedType, name: string): string | undefined {
  if (served.resources.has(name)) return name;
  return served.aliases.get(name);
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
