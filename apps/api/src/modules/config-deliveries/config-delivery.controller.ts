import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { type ListQuery, listQuerySchema, type Page } from '../../http/list-query';
import { IdParam } from '../../http/request-params';
import { ZodPipe } from '../../http/zod-request';
import { ApiList, ApiProblems, ApiSecured } from '../../openapi/api-docs.decorators';
import { jsonSchemaOf } from '../../openapi/zod-json-schema';
import { versionNumberParam } from '../configs/config.dto';
import {
  CONFIG_DELIVERY_LIST,
  type ConfigDeliverySummaryView,
  type ConfigDeliveryView,
  configDeliverySummaryViewSchema,
  configDeliveryViewSchema,
} from './config-delivery.dto';
import { ConfigDeliveryService } from './config-delivery.service';

const VersionNumberParam = (): ParameterDecorator =>
  Param('number', new ZodPipe(versionNumberParam, 'params'));

@ApiTags('configs')
@ApiSecured()
@Controller('api/v1/configs/:id/versions/:number/deliveries')
export class ConfigDeliveryController {
  constructor(private readonly deliveries: ConfigDeliveryService) {}

  @Get()
  @ApiList(
    configDeliveryViewSchema,
    CONFIG_DELIVERY_LIST,
    "a page of the version's deliveries to proxies (sent, ACKed, NACKed), newest first by default",
  )
  @ApiProblems(404)
  @Requires('viewer')
  list(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @VersionNumberParam() number: number,
    @Query(new ZodPipe(listQuerySchema(CONFIG_DELIVERY_LIST), 'query')) query: ListQuery,
  ): Promise<Page<ConfigDeliveryView>> {
    return this.deliveries.list(principal, id, number, query);
  }

  @Get('summary')
  @ApiResponse({
    status: 200,
    description: "the version's deliveries counted by type and state, and its lasting NACKs by resource",
    schema: jsonSchemaOf(configDeliverySummaryViewSchema, 'output'),
  })
  @ApiProblems(400, 404)
  @Requires('viewer')
  summary(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @VersionNumberParam() number: number,
  ): Promise<ConfigDeliverySummaryView> {
    return this.deliveries.summary(principal, id, number);
  }
}
