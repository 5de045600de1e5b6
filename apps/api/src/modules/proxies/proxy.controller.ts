import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { type ListQuery, listQuerySchema, type Page } from '../../http/list-query';
import { ExpectedVersion, WriteQuery } from '../../http/request-params';
import { ZodPipe } from '../../http/zod-request';
import {
  nodeIdParam,
  PROXY_LIST,
  type ProxyCreate,
  proxyCreateSchema,
  type ProxyStatusView,
  type ProxyView,
  type ProxyWrite,
  proxyWriteSchema,
} from './proxy.dto';
import { ProxyService } from './proxy.service';

const NodeIdParam = (): ParameterDecorator => Param('nodeId', new ZodPipe(nodeIdParam, 'params'));

@Controller('api/v1/proxies')
export class ProxyController {
  constructor(private readonly proxies: ProxyService) {}

  @Get()
  @Requires('viewer')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodPipe(listQuerySchema(PROXY_LIST), 'query')) query: ListQuery,
  ): Promise<Page<ProxyView>> {
    return this.proxies.list(principal, query);
  }

  @Get(':nodeId')
  @Requires('viewer')
  get(@CurrentPrincipal() principal: Principal, @NodeIdParam() nodeId: string): Promise<ProxyView> {
    return this.proxies.get(principal, nodeId);
  }

  @Get(':nodeId/status')
  @Requires('viewer')
  status(@CurrentPrincipal() principal: Principal, @NodeIdParam() nodeId: string): Promise<ProxyStatusView> {
    return this.proxies.status(principal, nodeId);
  }

  @Post()
  @Requires('operator')
  create(
    @CurrentPrincipal() principal: Principal,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(proxyCreateSchema, 'body')) body: ProxyCreate,
  ): Promise<ProxyView> {
    return this.proxies.create(principal, body);
  }

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
