import { Controller, type MessageEvent, Sse, UseGuards } from '@nestjs/common';
import { ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiProblems, ApiSecured } from '../../openapi/api-docs.decorators';
import type { EventStreamQuery } from './event.dto';
import { EventStreamQueryGuard, EventStreamQueryOf } from './event-stream-query.guard';
import { EventService } from './event.service';

@ApiTags('events')
@ApiSecured()
@Controller('api/v1/events')
export class EventController {
  constructor(private readonly events: EventService) {}

  /** Server-Sent Events: each domain event of the caller's tenant as it happens (`event:` is its type). */
  @Sse()
  @Requires('viewer')
  @UseGuards(EventStreamQueryGuard)
  @ApiProduces('text/event-stream')
  @ApiQuery({
    name: 'types',
    required: false,
    type: String,
    description: 'comma-separated event types, e.g. proxy.nack,config.version.created',
  })
  @ApiResponse({
    status: 200,
    description: 'a text/event-stream of domain events; `data` is the event envelope as JSON',
  })
  @ApiProblems(400)
  stream(
    @CurrentPrincipal() principal: Principal,
    @EventStreamQueryOf() query: EventStreamQuery,
  ): Observable<MessageEvent> {
    return this.events.stream(principal, query.types);
  }
}
