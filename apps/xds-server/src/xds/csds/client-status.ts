import {
  ClientResourceStatus,
  type ClientConfig,
  type ClientConfig_GenericXdsConfig,
  type ClientStatusRequest,
  type ClientStatusResponse,
  ConfigStatus,
  type Node,
} from '@envoy-fleet/proto/xds';
import type { SyncStatus, TypeStatus } from '../protocol/snapshot-view';
import { EMPTY_CLUSTER_LOAD_ASSIGNMENT } from '../protocol/snapshot-view';

/** A stream as CSDS sees it. */
export interface ObservedStream {
  readonly nodeInfo: Node | undefined;
  status(): TypeStatus[];
  bytesOf(hash: string): Uint8Array | undefined;
}

type NodeMatcher = ClientStatusRequest['nodeMatchers'][number];
type StringMatcher = NonNullable<NodeMatcher['nodeId']>;

/** Thrown for a request this server cannot answer as asked. */
export class UnsupportedClientStatusRequest extends Error {}

const CONFIG_STATUS: Readonly<Record<SyncStatus, ConfigStatus>> = {
  SYNCED: ConfigStatus.SYNCED,
  STALE: ConfigStatus.STALE,
  NACKED: ConfigStatus.ERROR,
  NOT_SENT: ConfigStatus.NOT_SENT,
};

const CLIENT_STATUS: Readonly<Record<SyncStatus, ClientResourceStatus>> = {
  SYNCED: ClientResourceStatus.ACKED,
  STALE: ClientResourceStatus.REQUESTED,
  NACKED: ClientResourceStatus.NACKED,
  NOT_SENT: ClientResourceStatus.REQUESTED,
};

/**
 * CSDS from the server's side: for each node with a stream on this replica, every resource sent per type
 * with its version, the type's sync status (SYNCED, STALE, NACKED as ERROR, NOT_SENT), the ACK/NACK state
 * and the last NACK's error detail; requested names that do not exist are listed as DOES_NOT_EXIST.
 */
export function clientStatus(
  request: ClientStatusRequest,
  streams: Iterable<ObservedStream>,
): ClientStatusResponse {
  for (const matcher of request.nodeMatchers) {
    if (matcher.nodeMetadatas.length > 0) {
      throw new UnsupportedClientStatusRequest('node_metadatas matchers are not supported; match on node_id');
    }
  }
  const byNode = new Map<string, { node: Node; generic: ClientConfig_GenericXdsConfig[] }>();
  for (const stream of streams) {
    const node = stream.nodeInfo;
    if (node === undefined || !matches(request.nodeMatchers, node.id)) continue;
    let entry = byNode.get(node.id);
    if (entry === undefined) {
      entry = { node, generic: [] };
      byNode.set(node.id, entry);
    }
    entry.generic.push(...genericConfigsOf(stream, request.excludeResourceContents));
  }
  const config: ClientConfig[] = [...byNode.values()].map(({ node, generic }) => ({
    node,
    xdsConfig: [],
    genericXdsConfigs: generic,
    clientScope: '',
  }));
  return { config };
}

function genericConfigsOf(stream: ObservedStream, excludeContents: boolean): ClientConfig_GenericXdsConfig[] {
  return stream.status().flatMap((type) => {
    const errorState =
      type.status === 'NACKED' && type.lastNack !== undefined
        ? {
            failedConfiguration: undefined,
            lastUpdateAttempt: undefined,
            details: type.lastNack.errorMessage,
            versionInfo: type.lastNack.rejectedVersion,
          }
        : undefined;
    const sent = [...type.resources].map(([name, hash]) => {
      const bytes =
        excludeContents || hash === EMPTY_CLUSTER_LOAD_ASSIGNMENT ? undefined : stream.bytesOf(hash);
      return {
        typeUrl: type.typeUrl,
        name,
        versionInfo: type.sentVersion,
        xdsConfig: bytes === undefined ? undefined : { typeUrl: type.typeUrl, value: bytes },
        lastUpdated: undefined,
        configStatus: CONFIG_STATUS[type.status],
        clientStatus: CLIENT_STATUS[type.status],
        errorState,
        isStaticResource: false,
      };
    });
    const missing = type.missing
      .filter((name) => !type.resources.has(name))
      .map((name) => ({
        typeUrl: type.typeUrl,
        name,
        versionInfo: type.sentVersion,
        xdsConfig: undefined,
        lastUpdated: undefined,
        configStatus: CONFIG_STATUS[type.status],
        clientStatus: ClientResourceStatus.DOES_NOT_EXIST,
        errorState: undefined,
        isStaticResource: false,
      }));
    return [...sent, ...missing];
  });
}

function matches(matchers: readonly NodeMatcher[], nodeId: string): boolean {
  if (matchers.length === 0) return true;
  return matchers.some((matcher) => matcher.nodeId === undefined || stringMatches(matcher.nodeId, nodeId));
}

function stringMatches(matcher: StringMatcher, value: string): boolean {
  const fold = (text: string) => (matcher.ignoreCase ? text.toLowerCase() : text);
  if (matcher.exact !== undefined) return fold(value) === fold(matcher.exact);
  if (matcher.prefix !== undefined) return fold(value).startsWith(fold(matcher.prefix));
  if (matcher.suffix !== undefined) return fold(value).endsWith(fold(matcher.suffix));
  if (matcher.contains !== undefined) return fold(value).includes(fold(matcher.contains));
  if (matcher.safeRegex !== undefined) return new RegExp(`^(?:${matcher.safeRegex.regex})$`).test(value);
  throw new UnsupportedClientStatusRequest(
    'only exact, prefix, suffix, contains and safe_regex node_id matchers are supported',
  );
}
