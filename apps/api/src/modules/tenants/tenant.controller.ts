import { ApiTags } from '@nestjs/swagger';
import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Put, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { InstallationAdminOnly, Requires } from '../../auth/requires.decorator';
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
  type CreatedTenantView,
  TENANT_LIST,
  type TenantCreate,
  tenantCreateSchema,
  type TenantView,
  type TenantWrite,
  tenantWriteSchema,
  tenantViewSchema,
  createdTenantViewSchema,
} from './tenant.dto';
import { TenantService } from './tenant.service';

@ApiTags('tenants')
@ApiSecured()
@Controller('api/v1/tenants')
export class TenantController {
  constructor(private readonly tenants: TenantService) {}

  @ApiList(tenantViewSchema, TENANT_LIST, 'a page of tenants')
  @Get()
  @Requires('admin')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodPipe(listQuerySchema(TENANT_LIST), 'query')) query: ListQuery,
  ): Promise<Page<TenantView>> {
    return this.tenants.list(principal, query);
  }

  @ApiRead(tenantViewSchema, 'the tenant')
  @Get(':id')
  @Requires('admin')
  get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<TenantView> {
    return this.tenants.get(principal, id);
  }

  @ApiCreate(tenantCreateSchema, createdTenantViewSchema, 'the tenant as stored')
  @Post()
  @Requires('admin')
  @InstallationAdminOnly()
  create(
    @CurrentPrincipal() principal: Principal,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(tenantCreateSchema, 'body')) body: TenantCreate,
  ): Promise<CreatedTenantView> {
    return this.tenants.create(principal, body);
  }

  @ApiReplace(tenantWriteSchema, tenantViewSchema, 'the tenant as stored')
  @Put(':id')
  @Requires('admin')
  @InstallationAdminOnly()
  replace(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(tenantWriteSchema, 'body')) body: TenantWrite,
  ): Promise<TenantView> {
    return this.tenants.replace(principal, id, expectedVersion, body);
  }

  @ApiMergePatch(tenantViewSchema, 'the tenant as stored')
  @Patch(':id')
  @Requires('admin')
  @InstallationAdminOnly()
  patch(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @Body() patch: unknown,
  ): Promise<TenantView> {
    return this.tenants.patch(principal, id, expectedVersion, patch);
  }

  @ApiDelete('the tenant is deleted')
  @Delete(':id')
  @Requires('admin')
  @InstallationAdminOnly()
  @HttpCode(204)
  delete(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
  ): Promise<void> {
    return this.tenants.delete(principal, id, expectedVersion);
  }
}
