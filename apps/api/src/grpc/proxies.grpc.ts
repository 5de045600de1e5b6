import { Injectable } from '@nestjs/common';
import { type DomainEvent, type EventType, isEventType } from '@envoy-fleet/domain';
import {
  type ControlPlaneServiceServer,
  Health,
  type Proxy,
  type ProxyEvent,
  ProxyPhase,
  type StreamProxyEventsRequest,
  type StreamProxyEventsResponse,
} from '@envoy-fleet/proto/management';
import { concatMap, filter, from, map, type Observable } from 'rxjs';
import type { Principal } from '../auth/principal';
import { parseRequest } from '../http/zod-request';
import { EventService } from '../modules/events/event.service';
import {
  PROXY_LIST,
  proxyCreateSchema,
  type ProxyView,
  type ProxyWrite,
  proxyWriteOf,
  proxyWriteSchema,
} from '../modules/proxies/proxy.dto';
import { ProxyService } from '../modules/proxies/proxy.service';
import { ProxyStatusService } from '../modules/proxies/proxy-status.service';
import { GrpcEdge } from './grpc-edge';
import {
  expectedVersion,
  fieldPaths,
  inRequestTerms,
  invalidField,
  listQueryOf,
  maskedUpdate,
  nextPageToken,
  required,
  timestampOf,
} from './grpc-request';
import {
  DESIRED_STATES,
  HEALTHS,
  limitsWrite,
  nameOf,
  PHASES,
  proxyMessage,
  xdsStatusMessages,
} from './proxy-messages';

const PROXY_PATHS = fieldPaths('proxy', {
  'resourceLimits.cpuMillicores': 'resource_limits.cpu_millis',
  'resourceLimits.memoryMib': 'resource_limits.memory_bytes',
});

/** Proto field → the writable fields of the REST representation it sets. */
const WRITABLE: Readonly<Record<string, readonly (keyof ProxyWrite)[]>> = {
  group_id: ['groupId'],
  vm_id: ['vmId'],
  container_name: ['containerName'],
  image: ['image'],
  proxy_port: ['proxyPort'],
  admin_port: ['adminPort'],
  desired_state: ['desiredState'],
  labels: ['labels'],
  metadata: ['metadata'],
  resource_limits: ['resourceLimits'],
};

/** A proxy message as the REST representation writes it; what is observed (phase, health, container id) is output only. */
function proxyFields(proxy: Proxy, base: ProxyWrite | undefined): Record<string, unknown> {
  return {
    groupId: proxy.groupId,
    vmId: proxy.vmId === '' ? null : proxy.vmId,
    containerName: proxy.containerName,
    proxyPort: proxy.proxyPort,
    adminPort: proxy.adminPort,
    image: proxy.image,
    desiredState:
      proxy.desiredState === DESIRED_STATES.removed
        ? (base?.desiredState ?? 'running')
        : nameOf(DESIRED_STATES, proxy.desiredState, 'desiredState'),
    labels: proxy.labels,
    metadata: proxy.metadata ?? {},
    resourceLimits: limitsWrite(proxy.resourceLimits, 'resourceLimits'),
  };
}

/** What a client of StreamProxyEvents asked for; every set criterion must match. */
interface EventCriteria {
  readonly proxies: ReadonlySet<string>;
  readonly groupId: string;
}

type ProxyHandlers = Pick<
  ControlPlaneServiceServer,
  | 'createProxy'
  | 'getProxy'
  | 'listProxies'
  | 'updateProxy'
  | 'deleteProxy'
  | 'getProxyStatus'
  | 'streamProxyEvents'
>;

/**
 * The proxy RPCs over ProxyService; proxies are named by their id or their Envoy node id.
 * StreamProxyEvents streams what the SSE endpoint streams (EventService), narrowed by the request.
 */
@Injectable()
export class ProxyGrpcHandlers {
  constructor(
    private readonly edge: GrpcEdge,
    private readonly proxies: ProxyService,
    private readonly delivery: ProxyStatusService,
    private readonly events: EventService,
  ) {}

  handlers(): ProxyHandlers {
    const { edge, proxies } = this;
    return {
      createProxy: edge.unary({ role: 'operator' }, async (principal, request) => {
        const proxy = required(request.proxy, 'proxy');
        const view = await inRequestTerms(PROXY_PATHS, () =>
          proxies.create(
            principal,
            parseRequest(
              proxyCreateSchema,
              { ...proxyFields(proxy, undefined), nodeId: proxy.nodeId },
              'body',
            ),
          ),
        );
        return { proxy: proxyMessage(view) };
      }),
      getProxy: edge.unary({ role: 'viewer' }, async (principal, request) => ({
        proxy: proxyMessage(await proxies.find(principal, request.id)),
      })),
      listProxies: edge.unary({ role: 'viewer' }, async (principal, request) => {
        const query = await listQueryOf(PROXY_LIST, request, {
          groupId: { field: 'group_id', value: request.groupId },
          vmId: { field: 'vm_id', value: request.vmId },
          status: {
            field: 'phase',
            value:
              request.phase === ProxyPhase.PROXY_PHASE_UNSPECIFIED
                ? undefined
                : nameOf(PHASES, request.phase, 'phase'),
          },
          health: {
            field: 'health',
            value:
              request.health === Health.HEALTH_UNSPECIFIED
                ? undefined
                : nameOf(HEALTHS, request.health, 'health'),
          },
        });
        const page = await proxies.list(principal, query);
        return { proxies: page.items.map(proxyMessage), nextPageToken: nextPageToken(page.nextCursor) };
      }),
      updateProxy: edge.unary({ role: 'operator' }, async (principal, request) => {
        const proxy = required(request.proxy, 'proxy');
        const current = await proxies.find(principal, proxy.id);
        const view = await maskedUpdate({
          etag: request.etag,
          updateMask: request.updateMask,
          writable: WRITABLE,
          fieldPathOf: PROXY_PATHS,
          read: () => Promise.resolve(current),
          writeOf: proxyWriteOf,
          desired: (base) => parseRequest(proxyWriteSchema, proxyFields(proxy, base), 'body'),
          replace: (version, write) => proxies.replace(principal, current.nodeId, version, write),
        });
        return { proxy: proxyMessage(view) };
      }),
      deleteProxy: edge.unary({ role: 'operator' }, async (principal, request) => {
        const current = await proxies.find(principal, request.id);
        const version = await expectedVersion(request.etag, () => Promise.resolve(current));
        await proxies.delete(principal, current.nodeId, version);
        return {};
      }),
      getProxyStatus: edge.unary({ role: 'viewer' }, async (principal, request) => {
        const { proxy: view, delivery, served } = await this.delivery.overview(principal, request.id);
        return {
          status: {
            proxyId: view.id,
            nodeId: view.nodeId,
            phase: PHASES[view.status],
            health: HEALTHS[view.health],
            xdsConnected: delivery.connected,
            xdsReplica: delivery.xdsReplica ?? '',
            lastSeenTime: timestampOf(view.lastSeenAt),
            xds: xdsStatusMessages(delivery),
            configId: served?.config.id ?? '',
            configVersion: served?.version.number ?? 0,
          },
        };
      }),
      streamProxyEvents: edge.serverStream({ role: 'viewer' }, (principal, request) =>
        Promise.resolve(this.streamEvents(principal, request)),
      ),
    };
  }

  private streamEvents(
    principal: Principal,
    request: StreamProxyEventsRequest,
  ): Observable<StreamProxyEventsResponse> {
    const types = request.eventTypes.map((type, index): EventType => {
      if (!isEventType(type))
        throw invalidField(`event_types[${index}]`, 'is not an event type of the catalogue');
      return type;
    });
    const criteria: EventCriteria = { proxies: new Set(request.proxyIds), groupId: request.groupId };
    const known = new Map<string, Promise<ProxyView | undefined>>();
    const proxyOf = (nodeId: string): Promise<ProxyView | undefined> => {
      let found = known.get(nodeId);
      if (found === undefined) {
        found = this.proxies.find(principal, nodeId).catch(() => undefined);
        known.set(nodeId, found);
      }
      return found;
    };
    return this.events.stream(principal, types.length === 0 ? undefined : types).pipe(
      map((message) => message.data as DomainEvent),
      concatMap((event) => from(this.proxyEventOf(event, criteria, proxyOf))),
      filter((event): event is ProxyEvent => event !== undefined),
      map((event) => ({ event })),
    );
  }

  /** The event as a ProxyEvent when it meets the criteria; the proxy is looked up only to match them. */
  private async proxyEventOf(
    event: DomainEvent,
    criteria: EventCriteria,
    proxyOf: (nodeId: string) => Promise<ProxyView | undefined>,
  ): Promise<ProxyEvent | undefined> {
    const payload = event.payload as unknown as Record<string, unknown>;
    const text = (key: string): string => (typeof payload[key] === 'string' ? payload[key] : '');
    let proxyId = text('proxyId');
    let groupId = text('groupId');
    const nodeId = text('nodeId');
    const filtered = criteria.proxies.size > 0 || criteria.groupId !== '';
    if (filtered && nodeId !== '' && (proxyId === '' || criteria.groupId !== '')) {
      const proxy = await proxyOf(nodeId);
      proxyId ||= proxy?.id ?? '';
      groupId ||= proxy?.groupId ?? '';
    }
    if (criteria.proxies.size > 0 && !criteria.proxies.has(proxyId) && !criteria.proxies.has(nodeId)) {
      return undefined;
    }
    if (criteria.groupId !== '' && groupId !== criteria.groupId) return undefined;
    return {
      id: event.id,
      type: event.type,
      proxyId,
      nodeId,
      occurTime: timestampOf(event.occurredAt),
      payload,
    };
  }
}
