import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Put, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { type ListQuery, listQuerySchema, type Page } from '../../http/list-query';
import { ExpectedVersion, IdParam, WriteQuery } from '../../http/request-params';
import { ZodPipe } from '../../http/zod-request';
import { NODE_LIST, type NodeView, type NodeWrite, nodeWriteSchema } from './node.dto';
import { NodeService } from './node.service';

@Controller('api/v1/nodes')
export class NodeController {
  constructor(private readonly nodes: NodeService) {}

  @Get()
  @Requires('viewer')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodPipe(listQuerySchema(NODE_LIST), 'query')) query: ListQuery,
  ): Promise<Page<NodeView>> {
    return this.nodes.list(principal, query);
  }

  @Get(':id')
  @Requires('viewer')
  get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<NodeView> {
    return this.nodes.get(principal, id);
  }

  @Post()
  @Requires('operator')
  create(
    @CurrentPrincipal() principal: Principal,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(nodeWriteSchema, 'body')) body: NodeWrite,
  ): Promise<NodeView> {
    return this.nodes.create(principal, body);
  }

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
