/** The xDS resource types the product serves, named the way the rest of the code talks about them. */
export type ResourceKind =
  'listener' | 'route' | 'cluster' | 'endpoint' | 'secret' | 'scoped_route' | 'virtual_host' | 'runtime';

const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** A protobuf type URL as xDS uses them, e.g. `type.googleapis.com/envoy.config.listener.v3.Listener`. */
export type TypeUrl = `type.googleapis.com/${string}`;

/** A resource kind, or the type URL of any message of the Envoy API (e.g. an extension's). */
export type ResourceType = ResourceKind | TypeUrl;

interface ResourceTypeInfo {
  /** Fully qualified protobuf message name. */
  readonly messageType: string;
  /** The field that names the resource (what `resource_names` subscribe to). */
  readonly nameField: string;
}

const RESOURCE_TYPES: { readonly [K in ResourceKind]: ResourceTypeInfo } = {
  listener: { messageType: 'envoy.config.listener.v3.Listener', nameField: 'name' },
  route: { messageType: 'envoy.config.route.v3.RouteConfiguration', nameField: 'name' },
  cluster: { messageType: 'envoy.config.cluster.v3.Cluster', nameField: 'name' },
  endpoint: { messageType: 'envoy.config.endpoint.v3.ClusterLoadAssignment', nameField: 'cluster_name' },
  secret: { messageType: 'envoy.extensions.transport_sockets.tls.v3.Secret', nameField: 'name' },
  scoped_route: { messageType: 'envoy.config.route.v3.ScopedRouteConfiguration', nameField: 'name' },
  virtual_host: { messageType: 'envoy.config.route.v3.VirtualHost', nameField: 'name' },
  runtime: { messageType: 'envoy.service.runtime.v3.Runtime', nameField: 'name' },
};

export const RESOURCE_KINDS = Object.keys(RESOURCE_TYPES) as readonly ResourceKind[];

/** Type URL of each kind, e.g. `type.googleapis.com/envoy.config.listener.v3.Listener`. */
const typeUrlFor = (kind: ResourceKind): TypeUrl => `${TYPE_URL_PREFIX}${RESOURCE_TYPES[kind].messageType}`;

export const TYPE_URLS: { readonly [K in ResourceKind]: TypeUrl } = {
  listener: typeUrlFor('listener'),
  route: typeUrlFor('route'),
  cluster: typeUrlFor('cluster'),
  endpoint: typeUrlFor('endpoint'),
  secret: typeUrlFor('secret'),
  scoped_route: typeUrlFor('scoped_route'),
  virtual_host: typeUrlFor('virtual_host'),
  runtime: typeUrlFor('runtime'),
};

const KIND_BY_TYPE_URL: ReadonlyMap<string, ResourceKind> = new Map(
  RESOURCE_KINDS.map((kind) => [TYPE_URLS[kind], kind]),
);

export function isResourceKind(value: string): value is ResourceKind {
  return Object.prototype.hasOwnProperty.call(RESOURCE_TYPES, value);
}

export function isTypeUrl(value: string): value is TypeUrl {
  return value.startsWith(TYPE_URL_PREFIX);
}

export function typeUrlOf(kind: ResourceKind): TypeUrl {
  return TYPE_URLS[kind];
}

/** The kind served under a type URL, or undefined for a type URL the product does not serve. */
export function kindOf(typeUrl: string): ResourceKind | undefined {
  return KIND_BY_TYPE_URL.get(typeUrl);
}

/** The field (proto name) holding a resource's name: `cluster_name` for endpoints, `name` otherwise. */
export function nameFieldOf(kind: ResourceKind): string {
  return RESOURCE_TYPES[kind].nameField;
}

/** The message name a type URL designates: everything after the last `/`. */
export function messageTypeOf(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
}

/** A kind, or any type URL (for example an extension's), to a type URL. */
export function toTypeUrl(type: ResourceType): TypeUrl;
export function toTypeUrl(type: string): string;
export function toTypeUrl(type: string): string {
  return isResourceKind(type) ? TYPE_URLS[type] : type;
}
