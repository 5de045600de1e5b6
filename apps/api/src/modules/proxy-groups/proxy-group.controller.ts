import { ApiBody, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Put, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { type ListQuery, listQuerySchema, type Page } from '../../http/list-query';
import { ExpectedVersion, IdParam, WriteQuery } from '../../http/request-params';
import { ZodPipe } from '../../http/zod-request';
import { jsonSchemaOf } from '../../openapi/zod-json-schema';
import {
  ApiCreate,
  ApiDelete,
  ApiList,
  ApiMergePatch,
  ApiProblems,
  ApiRead,
  ApiReplace,
  ApiSecured,
} from '../../openapi/api-docs.decorators';
import {
  PROXY_GROUP_LIST,
  type ProxyGroupScale,
  proxyGroupScaleSchema,
  type ProxyGroupView,
  type ProxyGroupWrite,
  proxyGroupWriteSchema,
  proxyGroupViewSchema,
} from './proxy-group.dto';
import { ProxyGroupService } from './proxy-group.service';

@ApiTags('proxy-groups')
@ApiSecured()
@Controller('api/v1/proxy-groups')
export class ProxyGroupController {
  constructor(private readonly groups: ProxyGroupService) {}

  @ApiList(proxyGroupViewSchema, PROXY_GROUP_LIST, 'a page of proxy groups')
  @Get()
  @Requires('viewer')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodPipe(listQuerySchema(PROXY_GROUP_LIST), 'query')) query: ListQuery,
  ): Promise<Page<ProxyGroupView>> {
    return this.groups.list(principal, query);
  }

  @ApiRead(proxyGroupViewSchema, 'the proxy group')
  @Get(':id')
  @Requires('viewer')
  get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<ProxyGroupView> {
    return this.groups.get(principal, id);
  }

  @ApiCreate(proxyGroupWriteSchema, proxyGroupViewSchema, 'the proxy group as stored')
  @Post()
  @Requires('operator')
  create(
    @CurrentPrincipal() principal: Principal,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(proxyGroupWriteSchema, 'body')) body: ProxyGroupWrite,
  ): Promise<ProxyGroupView> {
    return this.groups.create(principal, body);
  }

  @ApiReplace(proxyGroupWriteSchema, proxyGroupViewSchema, 'the proxy group as stored')
  @Put(':id')
  @Requires('operator')
  replace(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(proxyGroupWriteSchema, 'body')) body: ProxyGroupWrite,
  ): Promise<ProxyGroupView> {
    return this.groups.replace(principal, id, expectedVersion, body);
  }

  @ApiMergePatch(proxyGroupViewSchema, 'the proxy group as stored')
  @Patch(':id')
  @Requires('operator')
  patch(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @Body() patch: unknown,
  ): Promise<ProxyGroupView> {
    return this.groups.patch(principal, id, expectedVersion, patch);
  }

  /** Sets the group's desired replicas; fleet-manager schedules or drains proxies to match. */
  @Post(':id/scale')
  @ApiBody({ schema: jsonSchemaOf(proxyGroupScaleSchema, 'input') })
  @ApiResponse({
    status: 200,
    description: 'the proxy group with its new desiredReplicas; fleet-manager converges the fleet to it',
    schema: jsonSchemaOf(proxyGroupViewSchema, 'output'),
  })
  @ApiProblems(400, 404, 413, 415)
  @Requires('operator')
  @HttpCode(200)
  scale(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(proxyGroupScaleSchema, 'body')) body: ProxyGroupScale,
  ): Promise<ProxyGroupView> {
    return this.groups.scale(principal, id, body);
  }

  @ApiDelete('the proxy group is deleted')
  @Delete(':id')
  @Requires('operator')
  @HttpCode(204)
  delete(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
  ): Promise<void> {
    return this.groups.delete(principal, id, expectedVersion);
  }
}
