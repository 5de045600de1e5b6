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
import { USER_LIST, type UserView, userViewSchema, type UserWrite, userWriteSchema } from './user.dto';
import { UserService } from './user.service';

@ApiTags('users')
@ApiSecured()
@Controller('api/v1/users')
export class UserController {
  constructor(private readonly users: UserService) {}

  @ApiList(userViewSchema, USER_LIST, 'a page of users')
  @Get()
  @Requires('admin')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodPipe(listQuerySchema(USER_LIST), 'query')) query: ListQuery,
  ): Promise<Page<UserView>> {
    return this.users.list(principal, query);
  }

  @ApiRead(userViewSchema, 'the user')
  @Get(':id')
  @Requires('admin')
  get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<UserView> {
    return this.users.get(principal, id);
  }

  @ApiCreate(userWriteSchema, userViewSchema, 'the user as stored')
  @Post()
  @Requires('admin')
  create(
    @CurrentPrincipal() principal: Principal,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(userWriteSchema, 'body')) body: UserWrite,
  ): Promise<UserView> {
    return this.users.create(principal, body);
  }

  @ApiReplace(userWriteSchema, userViewSchema, 'the user as stored')
  @Put(':id')
  @Requires('admin')
  replace(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(userWriteSchema, 'body')) body: UserWrite,
  ): Promise<UserView> {
    return this.users.replace(principal, id, expectedVersion, body);
  }

  @ApiMergePatch(userViewSchema, 'the user as stored')
  @Patch(':id')
  @Requires('admin')
  patch(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @Body() patch: unknown,
  ): Promise<UserView> {
    return this.users.patch(principal, id, expectedVersion, patch);
  }

  @ApiDelete('the user and its role binding are deleted')
  @Delete(':id')
  @Requires('admin')
  @HttpCode(204)
  delete(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
  ): Promise<void> {
    return this.users.delete(principal, id, expectedVersion);
  }
}
