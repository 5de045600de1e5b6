import { ApiBody, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { WriteQuery } from '../../http/request-params';
import { ZodPipe } from '../../http/zod-request';
import { ApiProblems, ApiSecured, idempotencyKey } from '../../openapi/api-docs.decorators';
import { jsonSchemaOf } from '../../openapi/zod-json-schema';
import { type BulkRequest, bulkRequestSchema, type BulkResultView, bulkResultViewSchema } from './bulk.dto';
import { BulkService } from './bulk.service';

@ApiTags('bulk')
@ApiSecured()
@Controller('api/v1/bulk')
export class BulkController {
  constructor(private readonly bulk: BulkService) {}

  /** Creates, updates, patches and deletes proxy groups, proxies and configs in one transaction. */
  @Post()
  @ApiBody({ schema: jsonSchemaOf(bulkRequestSchema, 'input') })
  @ApiResponse({
    status: 200,
    description: 'every operation applied, in order, with what its own route would have answered',
    schema: jsonSchemaOf(bulkResultViewSchema, 'output'),
  })
  @ApiQuery({
    name: 'dryRun',
    required: false,
    schema: { type: 'string', enum: ['true', 'false'] },
    description: 'true: run every operation, then roll all of them back (`Dry-Run: true`)',
  })
  @idempotencyKey
  @ApiProblems(400, 404, 409, 412, 413, 415, 422, 428)
  @Requires('operator')
  @HttpCode(200)
  execute(
    @CurrentPrincipal() principal: Principal,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(bulkRequestSchema, 'body')) body: BulkRequest,
  ): Promise<BulkResultView> {
    return this.bulk.execute(principal, body);
  }
}
