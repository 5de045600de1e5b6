import { ApiBody, ApiResponse, ApiTags } from '@nestjs/swagger';
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
  ApiProblems,
  ApiRead,
  ApiReplace,
  ApiSecured,
} from '../../openapi/api-docs.decorators';
import { jsonSchemaOf } from '../../openapi/zod-json-schema';
import {
  CONFIG_TEMPLATE_LIST,
  type ConfigTemplateView,
  configTemplateViewSchema,
  type ConfigTemplateWrite,
  configTemplateWriteSchema,
  type RenderRequest,
  renderRequestSchema,
  type RenderView,
  renderViewSchema,
} from './config-template.dto';
import { ConfigTemplateService } from './config-template.service';

@ApiTags('templates')
@ApiSecured()
@Controller('api/v1/templates')
export class ConfigTemplateController {
  constructor(private readonly templates: ConfigTemplateService) {}

  @ApiList(configTemplateViewSchema, CONFIG_TEMPLATE_LIST, 'a page of config templates')
  @Get()
  @Requires('viewer')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodPipe(listQuerySchema(CONFIG_TEMPLATE_LIST), 'query')) query: ListQuery,
  ): Promise<Page<ConfigTemplateView>> {
    return this.templates.list(principal, query);
  }

  @ApiRead(configTemplateViewSchema, 'the config template')
  @Get(':id')
  @Requires('viewer')
  get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<ConfigTemplateView> {
    return this.templates.get(principal, id);
  }

  @ApiCreate(configTemplateWriteSchema, configTemplateViewSchema, 'the config template as stored')
  @Post()
  @Requires('operator')
  create(
    @CurrentPrincipal() principal: Principal,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(configTemplateWriteSchema, 'body')) body: ConfigTemplateWrite,
  ): Promise<ConfigTemplateView> {
    return this.templates.create(principal, body);
  }

  @ApiReplace(configTemplateWriteSchema, configTemplateViewSchema, 'the config template as stored')
  @Put(':id')
  @Requires('operator')
  replace(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(configTemplateWriteSchema, 'body')) body: ConfigTemplateWrite,
  ): Promise<ConfigTemplateView> {
    return this.templates.replace(principal, id, expectedVersion, body);
  }

  @ApiMergePatch(configTemplateViewSchema, 'the config template as stored')
  @Patch(':id')
  @Requires('operator')
  patch(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @Body() patch: unknown,
  ): Promise<ConfigTemplateView> {
    return this.templates.patch(principal, id, expectedVersion, patch);
  }

  @ApiDelete('the config template is deleted')
  @Delete(':id')
  @Requires('operator')
  @HttpCode(204)
  delete(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
  ): Promise<void> {
    return this.templates.delete(principal, id, expectedVersion);
  }

  /** Renders with the parameters sent and checks the result as a config; stores nothing. */
  @Post(':id/render')
  @ApiBody({ schema: jsonSchemaOf(renderRequestSchema, 'input') })
  @ApiResponse({
    status: 200,
    description: 'the rendered ProxyConfig',
    schema: jsonSchemaOf(renderViewSchema, 'output'),
  })
  @ApiProblems(400, 404, 413, 415, 422)
  @Requires('viewer')
  @HttpCode(200)
  render(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Body(new ZodPipe(renderRequestSchema, 'body')) body: RenderRequest,
  ): Promise<RenderView> {
    return this.templates.render(principal, id, body.parameters);
  }
}
