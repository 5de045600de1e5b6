import { Injectable } from '@nestjs/common';
import { DomainError, type NodeStatus as NodeStatusName } from '@envoy-fleet/domain';
import { type ControlPlaneServiceServer, type Node, NodeStatus } from '@envoy-fleet/proto/management';
import type { Principal } from '../auth/principal';
import {
  type NodeView,
  type NodeWrite,
  NODE_LIST,
  nodeWriteOf,
  nodeWriteSchema,
} from '../modules/nodes/node.dto';
import { NodeService } from '../modules/nodes/node.service';
import { PROXY_LIST } from '../modules/proxies/proxy.dto';
import { ProxyService } from '../modules/proxies/proxy.service';
import { parseRequest } from '../http/zod-request';
import { GrpcEdge } from './grpc-edge';
import {
  etagOf,
  expectedVersion,
  fieldPaths,
  inRequestTerms,
  invalidField,
  listQueryOf,
  maskedUpdate,
  nextPageToken,
  required,
  timestampOf,
  uuidOf,
} from './grpc-request';

const MIB = 1024 * 1024;

const STATUS_NAMES: Readonly<Record<NodeStatusName, NodeStatus>> = {
  ready: NodeStatus.NODE_STATUS_READY,
  not_ready: NodeStatus.NODE_STATUS_NOT_READY,
  draining: NodeStatus.NODE_STATUS_DRAINING,
  unknown: NodeStatus.NODE_STATUS_UNSPECIFIED,
};

function statusName(status: NodeStatus, path: string): NodeStatusName {
  const found = Object.entries(STATUS_NAMES).find(([, value]) => value === status);
  if (found === undefined) throw invalidField(path, `${status} is not a NodeStatus`);
  return found[0] as NodeStatusName;
}

const NODE_PATHS = fieldPaths('node', {
  'capacity.cpuMillicores': 'capacity.cpu_millis',
  'capacity.memoryMib': 'capacity.memory_bytes',
});

/** Proto field → the writable fields of the REST representation it sets. */
const WRITABLE: Readonly<Record<string, readonly (keyof NodeWrite)[]>> = {
  hostname: ['hostname'],
  addresses: ['addresses'],
  region: ['region'],
  zone: ['zone'],
  labels: ['labels'],
  capacity: ['capacity'],
  status: ['status'],
};

export function nodeMessage(view: NodeView): Node {
  return {
    id: view.id,
    hostname: view.hostname,
    addresses: view.addresses,
    region: view.region ?? '',
    zone: view.zone ?? '',
    labels: view.labels,
    capacity: {
      cpuMillis: view.capacity.cpuMillicores,
      memoryBytes: String(view.capacity.memoryMib * MIB),
      maxProxies: 0,
    },
    agentVersion: view.agentVersion ?? '',
    dockerVersion: view.dockerVersion ?? '',
    status: STATUS_NAMES[view.status],
    health: 0,
    lastHeartbeatTime: timestampOf(view.lastHeartbeatAt),
    createTime: timestampOf(view.createdAt),
    updateTime: timestampOf(view.updatedAt),
    etag: etagOf(view.version),
  };
}

/**
 * A node message as the REST representation writes it, validated by the same schema. The port
 * ranges, absent from the proto, are kept (`base`) or defaulted; fields the node-agent reports
 * (versions, health, heartbeat) are output only and ignored.
 */
function nodeWrite(
  node: Node,
  base: Pick<NodeWrite, 'proxyPortRange' | 'adminPortRange'> | undefined,
): NodeWrite {
  const { capacity } = node;
  if (capacity !== undefined && capacity.maxProxies !== 0) {
    throw invalidField(
      'capacity.max_proxies',
      "is not stored: a node's proxies are bounded by its proxy and admin port ranges",
    );
  }
  const memoryBytes = capacity === undefined ? 0 : Number(capacity.memoryBytes);
  if (memoryBytes % MIB !== 0)
    throw invalidField('capacity.memoryMib', 'must be a whole number of bytes in MiB');
  return parseRequest(
    nodeWriteSchema,
    {
      hostname: node.hostname,
      addresses: node.addresses,
      region: node.region === '' ? null : node.region,
      zone: node.zone === '' ? null : node.zone,
      labels: node.labels,
      capacity:
        capacity === undefined
          ? undefined
          : { cpuMillicores: capacity.cpuMillis, memoryMib: memoryBytes / MIB },
      ...base,
      status: statusName(node.status, 'status'),
    },
    'body',
  );
}

type NodeHandlers = Pick<
  ControlPlaneServiceServer,
  'createNode' | 'getNode' | 'listNodes' | 'updateNode' | 'deleteNode'
>;

/** The node RPCs over NodeService (and ProxyService for a forced delete). */
@Injectable()
export class NodeGrpcHandlers {
  constructor(
    private readonly edge: GrpcEdge,
    private readonly nodes: NodeService,
    private readonly proxies: ProxyService,
  ) {}

  handlers(): NodeHandlers {
    const { edge, nodes } = this;
    return {
      createNode: edge.unary({ role: 'operator' }, async (principal, request) => {
        const node = required(request.node, 'node');
        const view = await inRequestTerms(NODE_PATHS, async () =>
          nodes.create(principal, nodeWrite(node, undefined)),
        );
        return { node: nodeMessage(view) };
      }),
      getNode: edge.unary({ role: 'viewer' }, async (principal, request) => ({
        node: nodeMessage(await nodes.get(principal, uuidOf(request.id, 'id'))),
      })),
      listNodes: edge.unary({ role: 'viewer' }, async (principal, request) => {
        const query = await listQueryOf(NODE_LIST, request, {
          region: { field: 'region', value: request.region },
          zone: { field: 'zone', value: request.zone },
          status: {
            field: 'status',
            value:
              request.status === NodeStatus.NODE_STATUS_UNSPECIFIED
                ? undefined
                : statusName(request.status, 'status'),
          },
        });
        const page = await nodes.list(principal, query);
        return { nodes: page.items.map(nodeMessage), nextPageToken: nextPageToken(page.nextCursor) };
      }),
      updateNode: edge.unary({ role: 'operator' }, async (principal, request) => {
        const node = required(request.node, 'node');
        const id = uuidOf(node.id, 'node.id');
        const view = await maskedUpdate({
          etag: request.etag,
          updateMask: request.updateMask,
          writable: WRITABLE,
          fieldPathOf: NODE_PATHS,
          read: () => nodes.get(principal, id),
          writeOf: nodeWriteOf,
          desired: (base) => nodeWrite(node, base),
          replace: (version, write) => nodes.replace(principal, id, version, write),
        });
        return { node: nodeMessage(view) };
      }),
      deleteNode: edge.unary({ role: 'operator' }, async (principal, request) => {
        const id = uuidOf(request.id, 'id');
        const version = await expectedVersion(request.etag, () => nodes.get(principal, id));
        await this.removeProxiesOf(principal, id, request.force);
        await nodes.delete(principal, id, version);
        return {};
      }),
    };
  }

  /**
   * The proxies placed on the node: deleted with `force`, otherwise they keep the node from being
   * deleted (the database would only unplace them).
   */
  private async removeProxiesOf(principal: Principal, vmId: string, force: boolean): Promise<void> {
    for (;;) {
      const page = await this.proxies.list(
        principal,
        await listQueryOf(
          PROXY_LIST,
          { pageSize: 500, pageToken: '' },
          { vmId: { field: 'id', value: vmId } },
        ),
      );
      if (page.items.length === 0) return;
      if (!force) {
        throw new DomainError(
          'CONFLICT',
          `node ${vmId} hosts ${page.items.length}${page.nextCursor === null ? '' : '+'} proxies; delete them first or set force`,
          { details: { entity: 'node', id: vmId } },
        );
      }
      for (const proxy of page.items) await this.proxies.delete(principal, proxy.nodeId, proxy.version);
    }
  }
}
