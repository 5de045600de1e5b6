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
  API_KEY_LIST,
  type ApiKeyCreate,
  apiKeyCreateSchema,
  type ApiKeyView,
  type ApiKeyWrite,
  apiKeyWriteSchema,
  type CreatedApiKeyView,
  apiKeyViewSchema,
  createdApiKeyViewSchema,
} from './api-key.dto';
import { ApiKeyService } from './api-key.service';

@ApiTags('api-keys')
@ApiSecured()
@Controller('api/v1/api-keys')
export class ApiKeyController {
  constructor(private readonly apiKeys: ApiKeyService) {}

  @ApiList(apiKeyViewSchema, API_KEY_LIST, 'a page of API keys')
  @Get()
  @Requires('admin')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodPipe(listQuerySchema(API_KEY_LIST), 'query')) query: ListQuery,
  ): Promise<Page<ApiKeyView>> {
    return this.apiKeys.list(principal, query);
  }

  @ApiRead(apiKeyViewSchema, 'the API key')
  @Get(':id')
  @Requires('admin')
  get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<ApiKeyView> {
    return this.apiKeys.get(principal, id);
  }

  @ApiCreate(apiKeyCreateSchema, createdApiKeyViewSchema, 'the API key as stored')
  @Post()
  @Requires('admin')
  create(
    @CurrentPrincipal() principal: Principal,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(apiKeyCreateSchema, 'body')) body: ApiKeyCreate,
  ): Promise<CreatedApiKeyView> {
    return this.apiKeys.create(principal, body);
  }

  @ApiReplace(apiKeyWriteSchema, apiKeyViewSchema, 'the API key as stored')
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

  @ApiMergePatch(apiKeyViewSchema, 'the API key as stored')
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

  @ApiDelete('the API key is deleted')
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
