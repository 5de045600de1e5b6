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
import { NODE_LIST, type NodeView, type NodeWrite, nodeWriteSchema, nodeViewSchema } from './node.dto';
import { NodeService } from './node.service';

@ApiTags('nodes')
@ApiSecured()
@Controller('api/v1/nodes')
export class NodeController {
  constructor(private readonly nodes: NodeService) {}

  @ApiList(nodeViewSchema, NODE_LIST, 'a page of nodes')
  @Get()
  @Requires('viewer')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodPipe(listQuerySchema(NODE_LIST), 'query')) query: ListQuery,
  ): Promise<Page<NodeView>> {
    return this.nodes.list(principal, query);
  }

  @ApiRead(nodeViewSchema, 'the node')
  @Get(':id')
  @Requires('viewer')
  get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<NodeView> {
    return this.nodes.get(principal, id);
  }

  @ApiCreate(nodeWriteSchema, nodeViewSchema, 'the node as stored')
  @Post()
  @Requires('operator')
  create(
    @CurrentPrincipal() principal: Principal,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(nodeWriteSchema, 'body')) body: NodeWrite,
  ): Promise<NodeView> {
    return this.nodes.create(principal, body);
  }

  @ApiReplace(nodeWriteSchema, nodeViewSchema, 'the node as stored')
  @Put(':id')
  @Requires('operator')
  replace(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(nodeWriteSchema, 'body')) body: NodeWrite,
  ): Promise<NodeView> {
    return this.nodes.replace(principal, id, expectedVersion, body);
  }

  @ApiMergePatch(nodeViewSchema, 'the node as stored')
  @Patch(':id')
  @Requires('operator')
  patch(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @Body() patch: unknown,
  ): Promise<NodeView> {
    return this.nodes.patch(principal, id, expectedVersion, patch);
  }

  @ApiDelete('the node is deleted')
  @Delete(':id')
  @Requires('operator')
  @HttpCode(204)
  delete(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
  ): Promise<void> {
    return this.nodes.delete(principal, id, expectedVersion);
  }
}
