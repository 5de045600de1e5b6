import { ApiTags } from '@nestjs/swagger';
import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Put, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { type ListQuery, listQuerySchema, type Page } from '../../http/list-query';
import { ExpectedVersion, IdParam, WriteQuery } from '../../http/request-params';
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
  CONFIG_BINDING_LIST,
  type ConfigBindingView,
  configBindingViewSchema,
  type ConfigBindingWrite,
  configBindingWriteSchema,
} from './config-binding.dto';
import { ConfigBindingService } from './config-binding.service';

@ApiTags('config-bindings')
@ApiSecured()
@Controller('api/v1/bindings')
export class ConfigBindingController {
  constructor(private readonly bindings: ConfigBindingService) {}

  @ApiList(configBindingViewSchema, CONFIG_BINDING_LIST, 'a page of config bindings')
  @Get()
  @Requires('viewer')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodPipe(listQuerySchema(CONFIG_BINDING_LIST), 'query')) query: ListQuery,
  ): Promise<Page<ConfigBindingView>> {
    return this.bindings.list(principal, query);
  }

  @ApiRead(configBindingViewSchema, 'the config binding')
  @Get(':id')
  @Requires('viewer')
  get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<ConfigBindingView> {
    return this.bindings.get(principal, id);
  }

  @ApiCreate(configBindingWriteSchema, configBindingViewSchema, 'the config binding as stored')
  @Post()
  @Requires('operator')
  create(
    @CurrentPrincipal() principal: Principal,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(configBindingWriteSchema, 'body')) body: ConfigBindingWrite,
  ): Promise<ConfigBindingView> {
    return this.bindings.create(principal, body);
  }

  @ApiReplace(configBindingWriteSchema, configBindingViewSchema, 'the config binding as stored')
  @Put(':id')
  @Requires('operator')
  replace(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(configBindingWriteSchema, 'body')) body: ConfigBindingWrite,
  ): Promise<ConfigBindingView> {
    return this.bindings.replace(principal, id, expectedVersion, body);
  }

  @ApiMergePatch(configBindingViewSchema, 'the config binding as stored')
  @Patch(':id')
  @Requires('operator')
  patch(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @Body() patch: unknown,
  ): Promise<ConfigBindingView> {
    return this.bindings.patch(principal, id, expectedVersion, patch);
  }

  @ApiDelete('the config binding is deleted')
  @Delete(':id')
  @Requires('operator')
  @HttpCode(204)
  delete(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
  ): Promise<void> {
    return this.bindings.delete(principal, id, expectedVersion);
  }
}
