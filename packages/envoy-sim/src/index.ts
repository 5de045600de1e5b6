export {
  type BootstrapOverrides,
  mergeOverrides,
  overridesFromEnv,
  resolveBootstrap,
} from './bootstrap/bootstrap-overrides';
export { bootstrapFromDocument, loadBootstrapFile } from './bootstrap/bootstrap-file';
export {
  type AdminConfig,
  type SimBootstrap,
  type SimNode,
  type XdsEndpoint,
  type XdsMode,
  type XdsServerConfig,
  type XdsTlsFiles,
} from './bootstrap/sim-bootstrap';
export { type ServerState } from './config/config-store';
export { NO_REJECTIONS, type RejectPolicy } from './config/reject-policy';
export {
  type AckEvent,
  type DisconnectEvent,
  EnvoySim,
  type EnvoySimEvents,
  type EnvoySimOptions,
  NACK_STATUS_CODE,
  type NackEvent,
  type SimState,
  type TypeState,
} from './envoy-sim';
export { AdsChannelPool } from './protocol/ads-channel-pool';
export { type FleetSummary, SimFleet, type SimFleetOptions } from './sim-fleet';
export {
  CLUSTER_TYPE,
  ENDPOINT_TYPE,
  LISTENER_TYPE,
  ROUTE_TYPE,
  SECRET_TYPE,
  type XdsTypeUrl,
} from './xds/xds-types';
