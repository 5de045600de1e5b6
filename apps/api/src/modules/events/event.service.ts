import { Injectable, type MessageEvent } from '@nestjs/common';
import type { DomainEvent, EventType } from '@envoy-fleet/domain';
import { filter, map, type Observable } from 'rxjs';
import type { Principal } from '../../auth/principal';
import { EventHub } from './event-hub';

@Injectable()
export class EventService {
  constructor(private readonly hub: EventHub) {}

  /**
   * The events a caller may see: its tenant's, and for installation admins also those about the
   * installation itself (no tenant).
   */
  stream(principal: Principal, types: readonly EventType[] | undefined): Observable<MessageEvent> {
    const visible = (event: DomainEvent): boolean =>
      event.tenantId === principal.tenantId || (event.tenantId === null && principal.installationAdmin);
    return this.hub.stream.pipe(
      filter((event) => visible(event) && (types === undefined || types.includes(event.type))),
      map((event): MessageEvent => ({ id: event.id, type: event.type, data: event })),
    );
  }
}
