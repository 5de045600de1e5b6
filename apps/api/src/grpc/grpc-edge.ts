import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type {
  handleServerStreamingCall,
  handleUnaryCall,
  Metadata,
  ServerUnaryCall,
  ServiceError,
} from '@grpc/grpc-js';
import { isDomainError } from '@envoy-fleet/domain';
import { translateDatabaseError } from '@envoy-fleet/db';
import type { Logger } from '@envoy-fleet/telemetry';
import type { Observable } from 'rxjs';
import { API_LOGGER } from '../api.tokens';
import { Admission, type AdmissionRule } from '../auth/admission.service';
import type { Principal } from '../auth/principal';
import { UnitOfWork } from '../database/unit-of-work.service';
import { grpcErrorOf, internalGrpcError } from './grpc-status';

type Handle<Request, Response> = (principal: Principal, request: Request) => Promise<Response>;

/**
 * What every gRPC call goes through, like a REST request through the guard, the interceptors and the
 * problem filter: the caller is admitted from the `authorization` metadata (`Bearer <token>`, an
 * access token or an API key) against the method's rule; a unary call runs in one tenant transaction
 * that every service call joins (row-level security confines it to the caller's tenant); errors
 * become gRPC statuses with rich details, unexpected ones INTERNAL with a logged error id.
 */
@Injectable()
export class GrpcEdge {
  /** Each open stream's unsubscribe, mapped to what ends it with OK. */
  private readonly openStreams = new Map<() => void, () => void>();

  constructor(
    private readonly admission: Admission,
    private readonly unitOfWork: UnitOfWork,
    @Inject(API_LOGGER) private readonly logger: Logger,
  ) {}

  unary<Request, Response>(
    rule: AdmissionRule,
    handle: Handle<Request, Response>,
  ): handleUnaryCall<Request, Response> {
    return (call, callback) => {
      this.answer(call, rule, handle).then(
        (response) => callback(null, response),
        (error: unknown) => callback(this.errorOf(error, call.getPath())),
      );
    };
  }

  /**
   * A server stream of what `open` returns, until the caller cancels or the observable completes
   * (the api shutting down ends it with OK).
   */
  serverStream<Request, Response>(
    rule: AdmissionRule,
    open: (principal: Principal, request: Request) => Promise<Observable<Response>>,
  ): handleServerStreamingCall<Request, Response> {
    return (call) => {
      const opened = this.admit(call.metadata, rule).then((principal) => open(principal, call.request));
      opened.then(
        (messages) => {
          const close = (): void => {
            this.openStreams.delete(close);
            subscription.unsubscribe();
          };
          const subscription = messages.subscribe({
            next: (message) => call.write(message),
            error: (error: unknown) => {
              close();
              call.emit('error', this.errorOf(error, call.getPath()));
            },
            complete: () => {
              close();
              call.end();
            },
          });
          if (subscription.closed) return;
          this.openStreams.set(close, () => {
            close();
            call.end();
          });
          call.on('cancelled', close);
        },
        (error: unknown) => call.emit('error', this.errorOf(error, call.getPath())),
      );
    };
  }

  /** Ends every open stream with OK (shutdown: the clients reconnect to another replica). */
  endStreams(): void {
    for (const end of [...this.openStreams.values()]) end();
  }

  private async answer<Request, Response>(
    call: ServerUnaryCall<Request, Response>,
    rule: AdmissionRule,
    handle: Handle<Request, Response>,
  ): Promise<Response> {
    const principal = await this.admit(call.metadata, rule);
    return this.unitOfWork.inRequestTransaction(principal, () => handle(principal, call.request));
  }

  private admit(metadata: Metadata, rule: AdmissionRule): Promise<Principal> {
    const [authorization] = metadata.get('authorization');
    return this.admission.admit(typeof authorization === 'string' ? authorization : undefined, rule);
  }

  private errorOf(error: unknown, method: string): Partial<ServiceError> {
    const translated = translateDatabaseError(error);
    if (isDomainError(translated)) return grpcErrorOf(translated);
    const errorId = randomUUID();
    this.logger.error({ err: error, errorId, method }, 'gRPC call failed');
    return internalGrpcError(errorId);
  }
}
