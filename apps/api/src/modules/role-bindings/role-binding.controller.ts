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
  ROLE_BINDING_LIST,
  type RoleBindingCreate,
  roleBindingCreateSchema,
  type RoleBindingView,
  roleBindingViewSchema,
  type RoleBindingWrite,
  roleBindingWriteSchema,
} from './role-binding.dto';
import { RoleBindingService } from './role-binding.service';

@ApiTags('role-bindings')
@ApiSecured()
@Controller('api/v1/role-bindings')
export class RoleBindingController {
  constructor(private readonly bindings: RoleBindingService) {}

  @ApiList(roleBindingViewSchema, ROLE_BINDING_LIST, 'a page of role bindings')
  @Get()
  @Requires('admin')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodPipe(listQuerySchema(ROLE_BINDING_LIST), 'query')) query: ListQuery,
  ): Promise<Page<RoleBindingView>> {
    return this.bindings.list(principal, query);
  }

  @ApiRead(roleBindingViewSchema, 'the role binding')
  @Get(':id')
  @Requires('admin')
  get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<RoleBindingView> {
    return this.bindings.get(principal, id);
  }

  @ApiCreate(roleBindingCreateSchema, roleBindingViewSchema, 'the role binding as stored')
  @Post()
  @Requires('admin')
  create(
    @CurrentPrincipal() principal: Principal,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(roleBindingCreateSchema, 'body')) body: RoleBindingCreate,
  ): Promise<RoleBindingView> {
    return this.bindings.create(principal, body);
  }

  @ApiReplace(roleBindingWriteSchema, roleBindingViewSchema, 'the role binding as stored')
  @Put(':id')
  @Requires('admin')
  replace(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(roleBindingWriteSchema, 'body')) body: RoleBindingWrite,
  ): Promise<RoleBindingView> {
    return this.bindings.replace(principal, id, expectedVersion, body);
  }

  @ApiMergePatch(roleBindingViewSchema, 'the role binding as stored')
  @Patch(':id')
  @Requires('admin')
  patch(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @Body() patch: unknown,
  ): Promise<RoleBindingView> {
    return this.bindings.patch(principal, id, expectedVersion, patch);
  }

  @ApiDelete('the binding is deleted; the user keeps no role in the tenant')
  @Delete(':id')
  @Requires('admin')
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
