// The management API (proto/envoyfleet/v1): ControlPlaneService for @grpc/grpc-js and its messages.
// The whole generated package is the promise of this subpath, so it is re-exported as is.
export * from './gen/envoyfleet/v1/common';
export * from './gen/envoyfleet/v1/configs';
export * from './gen/envoyfleet/v1/control_plane';
export * from './gen/envoyfleet/v1/nodes';
export * from './gen/envoyfleet/v1/proxies';
export * from './gen/envoyfleet/v1/resources';
export * from './gen/envoyfleet/v1/rollouts';
export * from './gen/envoyfleet/v1/webhooks';
export { Struct, Value, ListValue, NullValue } from './gen/google/protobuf/struct';
export { Timestamp } from './gen/google/protobuf/timestamp';
export { Duration } from './gen/google/protobuf/duration';
export { FieldMask } from './gen/google/protobuf/field_mask';
// The gRPC rich error model: a google.rpc.Status in the `grpc-status-details-bin` trailer, with these details.
export { Status } from './gen/google/rpc/status';
export { Any } from './gen/google/protobuf/any';
export {
  BadRequest,
  BadRequest_FieldViolation,
  ErrorInfo,
  PreconditionFailure,
  PreconditionFailure_Violation,
  QuotaFailure,
  QuotaFailure_Violation,
  ResourceInfo,
  RetryInfo,
} from './gen/google/rpc/error_details';
