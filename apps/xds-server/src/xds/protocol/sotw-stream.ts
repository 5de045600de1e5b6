import { typeVersionOf } from '@envoy-fleet/xds';
import {
  CLUSTER_TYPE,
  compareAdsOrder,
  ENDPOINT_TYPE,
  hasLegacyWildcard,
  isFullStateInSotw,
  mayPrecedeAckOf,
  referrersOf,
  WILDCARD,
} from './resource-types';
import { ResponseTracker } from './response-tracker';
import {
  EMPTY_CLUSTER_LOAD_ASSIGNMENT,
  type RequestOutcome,
  type ResponseResource,
  type ServedType,
  type SnapshotView,
  type TypeStatus,
} from './snapshot-view';

export interface SotwRequest {
  readonly typeUrl: string;
  readonly versionInfo: string;
  readonly resourceNames: readonly string[];
  readonly responseNonce: string;
  readonly errorDetail?: { readonly code: number; readonly message: string };
}

export interface SotwResponse {
  readonly typeUrl: string;
  readonly version: string;
  readonly nonce: string;
  /** Sorted by name, each name once. */
  readonly resources: readonly ResponseResource[];
  /** The resources are exactly the type's in the snapshot (what a wildcard client gets): streams share it. */
  readonly complete: boolean;
}

class SotwTypeState {
  readonly tracker = new ResponseTracker();
  /** Whether every request so far had empty `resource_names` (legacy wildcard still possible). */
  explicitNamesSeen = false;
  wildcard = false;
  names: ReadonlySet<string> = new Set();
  /** Answer even if nothing differs: the first wildcard request, EDS after a cluster changed. */
  answerRequired = false;
  /** What the client holds as far as the server knows: name → hash. Never mutated: replaced. */
  holds: ReadonlyMap<string, string> = new Map();
  /**
   * What the subscription selects from one snapshot, kept while neither changes: thousands of streams
   * on one snapshot ask for it on every pull. A wildcard subscription selects the snapshot's own map.
   */
  selection:
    | {
        view: SnapshotView;
        names: ReadonlySet<string>;
        wildcard: boolean;
        desired: ReadonlyMap<string, string>;
      }
    | undefined;

  constructor(readonly typeUrl: string) {}

  covers(name: string): boolean {
    return this.wildcard || this.names.has(name);
  }
}

/**
 * The state-of-the-world protocol of one stream (ADS or a single-type service), without any I/O: feed it
 * requests and snapshots, pull the responses to write. Responses are computed when pulled, from the
 * latest snapshot and subscription, so a stream that cannot write gets the newest state later instead of
 * a queue of stale ones (go-control-plane PR#1498, rule H48).
 *
 * Per type, at most one response awaits its ACK. Types are written in ADS order on the one stream, and a
 * type is written only when every type before it has nothing left to write, so a route never reaches the
 * client before the clusters it names. Later types do not wait for an earlier type's ACK (the client
 * processes responses in stream order), except after a response that gave the client new resources: then
 * only that type's children (EDS after CDS, RDS after LDS) go out before the ACK, since the client asks
 * for what the new resources need while processing them. Removed clusters stay in CDS until the listeners
 * and routes that stopped using them are ACKed (make before break).
 */
export class SotwStream {
  private view: SnapshotView | undefined;
  private readonly types = new Map<string, SotwTypeState>();
  /** The values of `types` in ADS order. */
  private readonly ordered: SotwTypeState[] = [];

  constructor(private readonly nextNonce: () => string) {}

  setSnapshot(view: SnapshotView): void {
    this.view = view;
  }

  handleRequest(request: SotwRequest): RequestOutcome {
    let state = this.types.get(request.typeUrl);
    let outcome: RequestOutcome;
    if (state === undefined) {
      // A nonce on the first request for a type belongs to another stream (envoy#15767).
      state = new SotwTypeState(request.typeUrl);
      this.types.set(request.typeUrl, state);
      this.ordered.push(state);
      this.ordered.sort((a, b) => compareAdsOrder(a.typeUrl, b.typeUrl));
      outcome = { kind: 'subscription' };
      this.applyNames(state, request.resourceNames);
      state.answerRequired = state.wildcard;
      return outcome;
    }
    outcome = state.tracker.classify({
      typeUrl: request.typeUrl,
      responseNonce: request.responseNonce,
      clientVersion: request.versionInfo,
      errorDetail: request.errorDetail,
    });
    // Even a stale request's names are recorded (envoy#10363); they are answered once the pending
    // response is ACKed or NACKed, since only one response per type is outstanding.
    this.applyNames(state, request.resourceNames);
    return outcome;
  }

  /** The next response to write, or undefined when there is nothing to write now. */
  nextResponse(): SotwResponse | undefined {
    if (this.view === undefined) return undefined;
    let adding: SotwTypeState | undefined;
    for (const state of this.ordered) {
      if (adding !== undefined && !mayPrecedeAckOf(adding.typeUrl, state.typeUrl)) return undefined;
      // Nothing overtakes a type that has something to write, even while it waits for its own ACK.
      if (this.hasPending(state)) return state.tracker.awaitingAck ? undefined : this.take(state);
      if (adding === undefined && state.tracker.awaitingAckOfAdded) adding = state;
    }
    return undefined;
  }

  status(): TypeStatus[] {
    return this.ordered.map((state) => {
      const { tracker } = state;
      const served = this.view?.type(state.typeUrl).resources;
      const missing = served === undefined ? [] : [...state.names].filter((name) => !served.has(name));
      let status: TypeStatus['status'] = 'SYNCED';
      if (!tracker.sentAny) status = 'NOT_SENT';
      else if (tracker.nacked) status = 'NACKED';
      else if (tracker.awaitingAck || this.hasPending(state)) status = 'STALE';
      return {
        typeUrl: state.typeUrl,
        status,
        sentVersion: tracker.sentVersion,
        ackedVersion: tracker.ackedVersion,
        resources: new Map(state.holds),
        missing,
        lastNack: tracker.lastNack,
      };
    });
  }

  private applyNames(state: SotwTypeState, names: readonly string[]): void {
    if (names.length === 0 && !state.explicitNamesSeen && hasLegacyWildcard(state.typeUrl)) {
      state.wildcard = true;
    } else {
      if (names.length > 0) state.explicitNamesSeen = true;
      state.wildcard = names.includes(WILDCARD);
    }
    // An ACK repeats the names it was answered for: the set (and the selection cached for it) stays.
    if (!sameNames(state.names, names)) state.names = new Set(names.filter((name) => name !== WILDCARD));
    // The client forgets what it unsubscribed: a name added back is sent again (go-control-plane#431).
    let holds: Map<string, string> | undefined;
    for (const name of state.holds.keys()) {
      if (state.covers(name)) continue;
      holds ??= new Map(state.holds);
      holds.delete(name);
    }
    if (holds !== undefined) state.holds = holds;
  }

  /** What the subscription selects from the snapshot, plus (LDS/CDS) what is kept for make-before-break. */
  private desiredOf(state: SotwTypeState): ReadonlyMap<string, string> {
    const selected = this.selectionOf(state);
    if (!isFullStateInSotw(state.typeUrl) || state.holds === selected) return selected;
    let retained: Map<string, string> | undefined;
    for (const [name, hash] of state.holds) {
      if (selected.has(name) || !state.covers(name)) continue;
      retained ??= new Map(selected);
      retained.set(name, hash);
    }
    if (retained === undefined || this.referrersSettled(state.typeUrl)) return selected;
    return retained;
  }

  private selectionOf(state: SotwTypeState): ReadonlyMap<string, string> {
    const view = this.viewOrThrow();
    const cached = state.selection;
    if (
      cached !== undefined &&
      cached.view === view &&
      cached.names === state.names &&
      cached.wildcard === state.wildcard
    ) {
      return cached.desired;
    }
    const served = view.type(state.typeUrl).resources;
    let namesServed = true;
    for (const name of state.names) namesServed &&= served.has(name);
    // Every name of the snapshot, and nothing else: the snapshot's own map, shared by every such stream.
    const all = namesServed && (state.wildcard || state.names.size === served.size);
    let desired: ReadonlyMap<string, string> = served;
    if (!all) {
      const selected = new Map<string, string>();
      if (state.wildcard) for (const [name, hash] of served) selected.set(name, hash);
      for (const name of state.names) {
        const hash = served.get(name);
        if (hash !== undefined) selected.set(name, hash);
        else if (state.typeUrl === ENDPOINT_TYPE) selected.set(name, EMPTY_CLUSTER_LOAD_ASSIGNMENT);
      }
      desired = selected;
    }
    state.selection = { view, names: state.names, wildcard: state.wildcard, desired };
    return desired;
  }

  private hasPending(state: SotwTypeState): boolean {
    if (this.view === undefined) return false;
    const desired = this.desiredOf(state);
    if (isFullStateInSotw(state.typeUrl))
      return state.answerRequired || (desired !== state.holds && !sameEntries(desired, state.holds));
    if (desired === state.holds) return state.answerRequired && desired.size > 0;
    if (state.answerRequired && desired.size > 0) return true;
    for (const [name, hash] of desired) if (state.holds.get(name) !== hash) return true;
    return false;
  }

  /** Every type that may refer to `typeUrl` has nothing left to send and its last response is ACKed. */
  private referrersSettled(typeUrl: string): boolean {
    return referrersOf(typeUrl).every((referrer) => {
      const state = this.types.get(referrer);
      return state === undefined || (state.tracker.settled && !this.hasPending(state));
    });
  }

  private take(state: SotwTypeState): SotwResponse {
    const served = this.viewOrThrow().type(state.typeUrl);
    const desired = this.desiredOf(state);
    const complete = desired === served.resources || sameEntries(desired, served.resources);
    // Clusters kept for make-before-break make the content differ from the manifest's: so does the version.
    const retained = complete || !isFullStateInSotw(state.typeUrl) ? undefined : retainedOf(desired, served);
    const version =
      retained === undefined || retained.size === 0
        ? served.version
        : `${served.version}.${typeVersionOf(Object.fromEntries(retained))}`;
    let changed = false;
    let added = false;
    for (const [name, hash] of desired) {
      const held = state.holds.get(name);
      if (held === hash) continue;
      changed = true;
      if (held === undefined) {
        added = true;
        break;
      }
    }
    const nonce = this.nextNonce();
    state.holds =
      isFullStateInSotw(state.typeUrl) || !keepsOthers(state.holds, desired)
        ? desired
        : new Map([...state.holds, ...desired]);
    state.tracker.sent(nonce, version, added);
    state.answerRequired = false;
    if (state.typeUrl === CLUSTER_TYPE && changed) this.requireEndpointsAgain();
    return {
      typeUrl: state.typeUrl,
      version,
      nonce,
      complete,
      resources: sortedResources(desired),
    };
  }

  /** Envoy's cluster warming ends only on an EDS response, even when endpoints did not change (go-control-plane#245). */
  private requireEndpointsAgain(): void {
    const endpoints = this.types.get(ENDPOINT_TYPE);
    if (endpoints !== undefined && (endpoints.wildcard || endpoints.names.size > 0))
      endpoints.answerRequired = true;
  }

  private viewOrThrow(): SnapshotView {
    if (this.view === undefined) throw new Error('the stream has no snapshot yet');
    return this.view;
  }
}

/** The resources of a selection sorted by name, computed once per selection (streams share selections). */
const sortedSelections = new WeakMap<ReadonlyMap<string, string>, readonly ResponseResource[]>();

function sortedResources(selection: ReadonlyMap<string, string>): readonly ResponseResource[] {
  let sorted = sortedSelections.get(selection);
  if (sorted === undefined) {
    sorted = [...selection]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, hash]) => ({ name, hash }));
    sortedSelections.set(selection, sorted);
  }
  return sorted;
}

/** Whether `requested` (which may hold `*`) names exactly the names of `current`. */
function sameNames(current: ReadonlySet<string>, requested: readonly string[]): boolean {
  let count = 0;
  for (const name of requested) {
    if (name === WILDCARD) continue;
    if (!current.has(name)) return false;
    count += 1;
  }
  return count === current.size;
}

/** The entries of an LDS/CDS selection that the snapshot no longer has (kept for make before break). */
function retainedOf(desired: ReadonlyMap<string, string>, served: ServedType): Map<string, string> {
  const retained = new Map<string, string>();
  for (const [name, hash] of desired) if (!served.resources.has(name)) retained.set(name, hash);
  return retained;
}

/** Whether the client holds names the selection does not have (RDS/EDS keep them: SotW cannot delete). */
function keepsOthers(holds: ReadonlyMap<string, string>, desired: ReadonlyMap<string, string>): boolean {
  for (const name of holds.keys()) if (!desired.has(name)) return true;
  return false;
}

function sameEntries(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, hash] of a) if (b.get(name) !== hash) return false;
  return true;
}
