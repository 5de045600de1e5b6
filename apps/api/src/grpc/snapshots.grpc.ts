import { Injectable } from '@nestjs/common';
import type { ServedSnapshotView } from '@envoy-fleet/domain';
import type { ControlPlaneServiceServer, Snapshot } from '@envoy-fleet/proto/management';
import { SnapshotQueryService } from '../modules/snapshots/snapshot-query.service';
import { GrpcEdge } from './grpc-edge';

/**
 * GetSnapshot (viewer): the snapshot the proxy is served now, as fleet-manager reads it from Redis.
 * CreateSnapshot (operator): fleet-manager rebuilds the proxy's tenant from PostgreSQL first (what
 * `POST /api/v1/snapshots/rebuild` queues), then the same. Resource bodies come as proto3 JSON unless
 * the snapshot is too large to carry them (names and versions only).
 */
@Injectable()
export class SnapshotGrpcHandlers {
  constructor(
    private readonly edge: GrpcEdge,
    private readonly snapshots: SnapshotQueryService,
  ) {}

  handlers(): Pick<ControlPlaneServiceServer, 'getSnapshot' | 'createSnapshot'> {
    const { edge, snapshots } = this;
    return {
      getSnapshot: edge.unary({ role: 'viewer' }, async (principal, request) => ({
        snapshot: snapshotMessage(request.nodeId, await snapshots.served(principal, request.nodeId)),
      })),
      createSnapshot: edge.unary({ role: 'operator' }, async (principal, request) => ({
        snapshot: snapshotMessage(request.nodeId, await snapshots.rebuilt(principal, request.nodeId)),
      })),
    };
  }
}

function snapshotMessage(nodeId: string, view: ServedSnapshotView): Snapshot {
  return {
    nodeId,
    manifestHash: view.manifestHash,
    resources: view.resources.map((resource) => ({
      typeUrl: resource.typeUrl,
      name: resource.name,
      version: resource.version,
      resource: resource.body ?? undefined,
    })),
    createTime: undefined,
  };
}
