export { contentHash } from './content-hash';
export { envoyRegistry } from './envoy-registry';
export {
  decodeResource,
  encodeResource,
  type ParsedResource,
  parseResource,
  parseResourceBytes,
  type ParseResult,
  type RejectedResource,
  validateMessage,
} from './resource-codec';
export {
  findPortClashes,
  type ListenerBinding,
  listenerBinding,
  type PortClash,
} from './listener-port-clashes';
export { type ResourceIssue, ResourceValidationError } from './resource-issue';
export {
  isResourceKind,
  isTypeUrl,
  kindOf,
  messageTypeOf,
  nameFieldOf,
  RESOURCE_KINDS,
  type ResourceKind,
  type ResourceType,
  toTypeUrl,
  type TypeUrl,
  TYPE_URLS,
  typeUrlOf,
} from './type-urls';
export {
  buildSnapshot,
  type BuiltSnapshot,
  type SnapshotResource,
  type SnapshotResources,
} from './build-snapshot';
export {
  EMPTY_TYPE_VERSION,
  encodeManifest,
  MANIFEST_FORMAT,
  ManifestError,
  type ManifestType,
  manifestTypeOf,
  parseManifest,
  type SnapshotManifest,
  typeVersionOf,
} from './manifest';
export { servingKeyOf, tenantOfServingKey } from './serving-key';
