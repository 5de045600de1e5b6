// Generated code is reached through the subpaths `@envoy-fleet/proto/xds` (Envoy xDS services and
// messages) and `@envoy-fleet/proto/management` (the ControlPlaneService API).
export {
  ENVOY_DESCRIPTOR_SET_PATH,
  loadEnvoyDescriptorSet,
  loadManagementDescriptorSet,
  MANAGEMENT_DESCRIPTOR_SET_PATH,
} from './descriptor-set';
