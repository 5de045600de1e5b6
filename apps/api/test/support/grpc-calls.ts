import { type handleUnaryCall, Metadata, type ServiceError } from '@grpc/grpc-js';
import {
  BadRequest,
  type ControlPlaneServiceClient,
  type ControlPlaneServiceServer,
  type ControlPlaneServiceService,
  ErrorInfo,
  PreconditionFailure,
  ResourceInfo,
  Status,
} from '@envoy-fleet/proto/management';

type Server = ControlPlaneServiceServer;
/** The unary RPCs of ControlPlaneService, by their client method names. */
type Method = keyof typeof ControlPlaneServiceService;
export type UnaryMethod = {
  [K in Method]: Server[K] extends handleUnaryCall<infer _Request, infer _Response> ? K : never;
}[Method];
export type RequestOf<K extends UnaryMethod> =
  Server[K] extends handleUnaryCall<infer Request, infer _> ? Request : never;
export type ResponseOf<K extends UnaryMethod> =
  Server[K] extends handleUnaryCall<infer _, infer Response> ? Response : never;
type Unary = (
  request: unknown,
  metadata: Metadata,
  callback: (error: ServiceError | null, response: unknown) => void,
) => unknown;

/** Calls a unary RPC of ControlPlaneService as `token`'s holder (anonymously without one). */
export function call<K extends UnaryMethod>(
  client: ControlPlaneServiceClient,
  method: K,
  request: RequestOf<K>,
  token: string | undefined,
): Promise<ResponseOf<K>> {
  const metadata = new Metadata();
  if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
  const unary = (client as unknown as Record<K, Unary>)[method];
  return new Promise((resolve, reject) => {
    unary.call(client, request, metadata, (error, response) =>
      error ? reject(error) : resolve(response as ResponseOf<K>),
    );
  });
}

/** The gRPC error of a call that must fail, with its google.rpc.Status details decoded. */
export async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => {
      throw new Error('the call succeeded');
    },
    (caught: ServiceError) => caught,
  );
  const [bytes] = error.metadata.get('grpc-status-details-bin');
  const status = bytes instanceof Buffer ? Status.decode(bytes) : undefined;
  const detail = <T>(type: string, decode: (value: Uint8Array) => T): T | undefined => {
    const found = status?.details.find((any) => any.typeUrl === `type.googleapis.com/google.rpc.${type}`);
    return found === undefined ? undefined : decode(found.value);
  };
  return {
    code: error.code,
    message: error.details,
    errorInfo: detail('ErrorInfo', (value) => ErrorInfo.decode(value)),
    badRequest: detail('BadRequest', (value) => BadRequest.decode(value)),
    resourceInfo: detail('ResourceInfo', (value) => ResourceInfo.decode(value)),
    preconditionFailure: detail('PreconditionFailure', (value) => PreconditionFailure.decode(value)),
  };
}
