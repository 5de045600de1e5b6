import { PROXY_GROUP_NAME_PATTERN } from '@envoy-fleet/domain';
import type { ProxyGroupEntity } from '@envoy-fleet/db';
import { z } from 'zod';
import type { ListSpec } from '../../http/list-query';
import { labelsSchema, labelsView, versionedViewFields } from '../../http/request-schemas';

/** A proxy group as clients write it; its name is Envoy's `node.cluster`. */
export const proxyGroupWriteSchema = z.strictObject({
  name: z
    .string()
    .regex(
      PROXY_GROUP_NAME_PATTERN,
      'must be 1-63 lowercase letters, digits, ".", "_" or "-", starting and ending with a letter or digit',
    ),
  parentId: z.uuid().nullable().default(null),
  description: z.string().max(1000).default(''),
  labels: labelsSchema.default({}),
  desiredReplicas: z.number().int().min(0).nullable().default(null),
  rescheduleOnNodeLoss: z.boolean().default(false),
  image: z.string().min(1).max(512).nullable().default(null),
  maxSurge: z.number().int().min(1).max(100).default(1),
});
export type ProxyGroupWrite = z.output<typeof proxyGroupWriteSchema>;

export const proxyGroupViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  parentId: z.uuid().nullable(),
  description: z.string(),
  labels: labelsView,
  desiredReplicas: z.number().int().nullable(),
  rescheduleOnNodeLoss: z.boolean(),
  image: z.string().nullable(),
  maxSurge: z.number().int(),
  ...versionedViewFields,
});
export type ProxyGroupView = z.output<typeof proxyGroupViewSchema>;

export function proxyGroupView(group: ProxyGroupEntity): ProxyGroupView {
  return {
    id: group.id,
    name: group.name,
    parentId: group.parentId,
    description: group.description,
    labels: group.labels,
    desiredReplicas: group.desiredReplicas,
    rescheduleOnNodeLoss: group.rescheduleOnNodeLoss,
    image: group.image,
    maxSurge: group.maxSurge,
    version: group.version,
    createdAt: group.createdAt.toISOString(),
    updatedAt: group.updatedAt.toISOString(),
  };
}

export function proxyGroupWriteOf(view: ProxyGroupView): ProxyGroupWrite {
  const { name, parentId, description, labels, desiredReplicas, rescheduleOnNodeLoss, image, maxSurge } =
    view;
  return { name, parentId, description, labels, desiredReplicas, rescheduleOnNodeLoss, image, maxSurge };
}

/** `POST /proxy-groups/{id}/scale`: how many proxies fleet-manager keeps running for the group. */
export const proxyGroupScaleSchema = z.strictObject({
  replicas: z.number().int().min(0).max(10_000),
});
export type ProxyGroupScale = z.output<typeof proxyGroupScaleSchema>;

export const PROXY_GROUP_LIST: ListSpec = {
  sortable: {
    name: { column: 'name', kind: 'text' },
    createdAt: { column: 'created_at', kind: 'timestamp' },
    updatedAt: { column: 'updated_at', kind: 'timestamp' },
  },
  defaultSort: 'name',
  filters: { parentId: 'parent_id', name: 'name' },
  labels: true,
};
