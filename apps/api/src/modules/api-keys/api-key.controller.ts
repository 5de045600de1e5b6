import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Put, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { type ListQuery, listQuerySchema, type Page } from '../../http/list-query';
import { ExpectedVersion, IdParam, WriteQuery } from '../../http/request-params';
import { ZodPipe } from '../../http/zod-request';
import {
  API_KEY_LIST,
  type ApiKeyCreate,
  apiKeyCreateSchema,
  type ApiKeyView,
  type ApiKeyWrite,
  apiKeyWriteSchema,
  type CreatedApiKeyView,
} from './api-key.dto';
import { ApiKeyService } from './api-key.service';

@Controller('api/v1/api-keys')
export class ApiKeyController {
  constructor(private readonly apiKeys: ApiKeyService) {}

  @Get()
  @Requires('admin')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodPipe(listQuerySchema(API_KEY_LIST), 'query')) query: ListQuery,
  ): Promise<Page<ApiKeyView>> {
    return this.apiKeys.list(principal, query);
  }

  @Get(':id')
  @Requires('admin')
  get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<ApiKeyView> {
    return this.apiKeys.get(principal, id);
  }

  @Post()
  @Requires('admin')
  create(
    @CurrentPrincipal() principal: Principal,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(apiKeyCreateSchema, 'body')) body: ApiKeyCreate,
  ): Promise<CreatedApiKeyView> {
    return this.apiKeys.create(principal, body);
  }

  @Put(':id')
  @Requires('admin')
  replace(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(apiKeyWriteSchema, 'body')) body: ApiKeyWrite,
  ): Promise<ApiKeyView> {
    return this.apiKeys.replace(principal, id, expectedVersion, body);
  }

  @Patch(':id')
  @Requires('admin')
  patch(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @Body() patch: unknown,
  ): Promise<ApiKeyView> {
    return this.apiKeys.patch(principal, id, expectedVersion, patch);
  }

  @Delete(':id')
  @Requires('admin')
  @HttpCode(204)
  delete(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
  ): Promise<void> {
    return this.apiKeys.delete(principal, id, expectedVersion);
  }
}
