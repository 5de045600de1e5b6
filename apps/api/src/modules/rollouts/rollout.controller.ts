import { ApiHeader, ApiResponse, ApiTags } from '@nestjs/swagger';
import { applyDecorators, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { type ListQuery, listQuerySchema, type Page } from '../../http/list-query';
import { ExpectedVersion, IdParam } from '../../http/request-params';
import { ZodPipe } from '../../http/zod-request';
import { ApiList, ApiProblems, ApiRead, ApiSecured } from '../../openapi/api-docs.decorators';
import { jsonSchemaOf } from '../../openapi/zod-json-schema';
import { ROLLOUT_LIST, type RolloutView, rolloutViewSchema } from './rollout.dto';
import { RolloutService } from './rollout.service';

@ApiTags('rollouts')
@ApiSecured()
@Controller('api/v1/rollouts')
export class RolloutController {
  constructor(private readonly rollouts: RolloutService) {}

  @ApiList(rolloutViewSchema, ROLLOUT_LIST, 'a page of rollouts, newest first by default')
  @Get()
  @Requires('viewer')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodPipe(listQuerySchema(ROLLOUT_LIST), 'query')) query: ListQuery,
  ): Promise<Page<RolloutView>> {
    return this.rollouts.list(principal, query);
  }

  @ApiRead(rolloutViewSchema, 'the rollout')
  @Get(':id')
  @Requires('viewer')
  get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<RolloutView> {
    return this.rollouts.get(principal, id);
  }

  /** Holds a running rollout where it is: no further wave starts, proxies keep their versions. */
  @Post(':id/pause')
  @ApiCommand('the rollout, paused')
  pause(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
  ): Promise<RolloutView> {
    return this.rollouts.command(principal, id, expectedVersion, 'pause');
  }

  /** Lets a paused rollout go on; the current wave's gate is judged again, its soak starts over. */
  @Post(':id/resume')
  @ApiCommand('the rollout, running')
  resume(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
  ): Promise<RolloutView> {
    return this.rollouts.command(principal, id, expectedVersion, 'resume');
  }

  /** Stops the rollout for good: every proxy returns to the version served before it. */
  @Post(':id/abort')
  @ApiCommand('the rollout, aborted')
  abort(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
  ): Promise<RolloutView> {
    return this.rollouts.command(principal, id, expectedVersion, 'abort');
  }

  /** Starts the next wave now, or completes the rollout after the last, without the current gate. */
  @Post(':id/promote')
  @ApiCommand('the rollout on its next wave, or completed')
  promote(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
  ): Promise<RolloutView> {
    return this.rollouts.command(principal, id, expectedVersion, 'promote');
  }
}

/** An operator's command on a rollout: If-Match with the rollout's ETag, 409 when its state forbids it. */
function ApiCommand(description: string): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'If-Match',
      required: true,
      description: 'the ETag (W/"<version>") of the rollout as read',
    }),
    ApiResponse({ status: 200, description, schema: jsonSchemaOf(rolloutViewSchema, 'output') }),
    ApiProblems(400, 404, 409, 412, 428),
    Requires('operator'),
    HttpCode(200),
  );
}
