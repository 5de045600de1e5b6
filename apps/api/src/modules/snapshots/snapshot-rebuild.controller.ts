import { ApiBody, ApiTags } from '@nestjs/swagger';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { WriteQuery } from '../../http/request-params';
import { ZodPipe } from '../../http/zod-request';
import { ApiAccepted, ApiSecured } from '../../openapi/api-docs.decorators';
import { jsonSchemaOf } from '../../openapi/zod-json-schema';
import {
  type SnapshotRebuildRequest,
  snapshotRebuildRequestSchema,
  type SnapshotRebuildView,
  snapshotRebuildViewSchema,
} from './snapshot-rebuild.dto';
import { SnapshotRebuildService } from './snapshot-rebuild.service';

@ApiTags('snapshots')
@ApiSecured()
@Controller('api/v1/snapshots')
export class SnapshotRebuildController {
  constructor(private readonly rebuilds: SnapshotRebuildService) {}

  /** Has fleet-manager rebuild snapshots from PostgreSQL: Redis is a cache, and this refills what it lost. */
  @Post('rebuild')
  @ApiBody({ schema: jsonSchemaOf(snapshotRebuildRequestSchema, 'input'), required: false })
  @ApiAccepted(
    snapshotRebuildViewSchema,
    'fleet-manager rebuilds the tenant’s snapshots, publishing again what Redis lost, and announces snapshot.rebuild.completed (on GET /api/v1/events and webhooks)',
  )
  @Requires('operator')
  @HttpCode(202)
  rebuild(
    @CurrentPrincipal() principal: Principal,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(snapshotRebuildRequestSchema.optional(), 'body'))
    body: SnapshotRebuildRequest | undefined,
  ): Promise<SnapshotRebuildView> {
    return this.rebuilds.request(principal, body ?? {});
  }
}
