import { ApiTags } from '@nestjs/swagger';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { type ListQuery, listQuerySchema, type Page } from '../../http/list-query';
import { ExpectedVersion, WriteQuery } from '../../http/request-params';
import { ZodPipe } from '../../http/zod-request';
import {
  ApiCreate,
  ApiDelete,
  ApiList,
  ApiMergePatch,
  ApiRead,
  ApiReplace,
  ApiSecured,
} from '../../openapi/api-docs.decorators';
import {
  nodeIdParam,
  PROXY_LIST,
  type ProxyCreate,
  proxyCreateSchema,
  type ProxyView,
  type ProxyWrite,
  proxyWriteSchema,
  proxyViewSchema,
  servedConfigViewSchema,
  type ServedConfigView,
} from './proxy.dto';
import { type ProxyDeliveryStatusView, proxyDeliveryStatusViewSchema } from './proxy-status.dto';
import { ProxyStatusService } from './proxy-status.service';
import { ProxyService } from './proxy.service';

const NodeIdParam = (): ParameterDecorator => Param('nodeId', new ZodPipe(nodeIdParam, 'params'));

@ApiTags('proxies')
@ApiSecured()
@Controller('api/v1/proxies')
export class ProxyController {
  constructor(
    private readonly proxies: ProxyService,
    private readonly statuses: ProxyStatusService,
  ) {}

  @ApiList(proxyViewSchema, PROXY_LIST, 'a page of proxys')
  @Get()
  @Requires('viewer')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodPipe(listQuerySchema(PROXY_LIST), 'query')) query: ListQuery,
  ): Promise<Page<ProxyView>> {
    return this.proxies.list(principal, query);
  }

  @ApiRead(proxyViewSchema, 'the proxy')
  @Get(':nodeId')
  @Requires('viewer')
  get(@CurrentPrincipal() principal: Principal, @NodeIdParam() nodeId: string): Promise<ProxyView> {
    return this.proxies.get(principal, nodeId);
  }

  @ApiRead(
    proxyDeliveryStatusViewSchema,
    "the proxy's container, its xDS connection, and per resource type the sync status, the last ACKed version, the NACK in force and their config versions",
  )
  @Get(':nodeId/status')
  @Requires('viewer')
  status(
    @CurrentPrincipal() principal: Principal,
    @NodeIdParam() nodeId: string,
  ): Promise<ProxyDeliveryStatusView> {
    return this.statuses.status(principal, nodeId);
  }

  @ApiRead(servedConfigViewSchema, "the config version the proxy's bindings select, secrets masked")
  @Get(':nodeId/config')
  @Requires('viewer')
  servedConfig(
    @CurrentPrincipal() principal: Principal,
    @NodeIdParam() nodeId: string,
  ): Promise<ServedConfigView> {
    return this.proxies.servedConfig(principal, nodeId);
  }

  @ApiCreate(proxyCreateSchema, proxyViewSchema, 'the proxy as stored')
  @Post()
  @Requires('operator')
  create(
    @CurrentPrincipal() principal: Principal,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(proxyCreateSchema, 'body')) body: ProxyCreate,
  ): Promise<ProxyView> {
    return this.proxies.create(principal, body);
  }

  @ApiReplace(proxyWriteSchema, proxyViewSchema, 'the proxy as stored')
  @Put(':nodeId')
  @Requires('operator')
  replace(
    @CurrentPrincipal() principal: Principal,
    @NodeIdParam() nodeId: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(proxyWriteSchema, 'body')) body: ProxyWrite,
  ): Promise<ProxyView> {
    return this.proxies.replace(principal, nodeId, expectedVersion, body);
  }

  @ApiMergePatch(proxyViewSchema, 'the proxy as stored')
  @Patch(':nodeId')
  @Requires('operator')
  patch(
    @CurrentPrincipal() principal: Principal,
    @NodeIdParam() nodeId: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @Body() patch: unknown,
  ): Promise<ProxyView> {
    return this.proxies.patch(principal, nodeId, expectedVersion, patch);
  }

  @ApiDelete('the proxy is deleted')
  @Delete(':nodeId')
  @Requires('operator')
  @HttpCode(204)
  delete(
    @CurrentPrincipal() principal: Principal,
    @NodeIdParam() nodeId: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
  ): Promise<void> {
    return this.proxies.delete(principal, nodeId, expectedVersion);
  }
}
