import { ApiBody, ApiConsumes, ApiHeader, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { type ListQuery, listQuerySchema, type Page } from '../../http/list-query';
import { ExpectedVersion, IdParam, WriteQuery } from '../../http/request-params';
import { parseRequest, ZodPipe } from '../../http/zod-request';
import type { ConfigDiff } from './config-diff';
import {
  CHANGE_MESSAGE_HEADER,
  CONFIG_LIST,
  CONFIG_VERSION_LIST,
  type ConfigChangeView,
  type ConfigSummaryView,
  type ConfigVersionSummaryView,
  type ConfigVersionView,
  type ConfigView,
  type DiffQuery,
  diffQuerySchema,
  type ValidationReportView,
  versionNumberParam,
  configSummaryViewSchema,
  configViewSchema,
  configChangeViewSchema,
  configVersionSummaryViewSchema,
  configVersionViewSchema,
  validationReportViewSchema,
  configDiffViewSchema,
} from './config.dto';
import { type ProxyConfig, proxyConfigSchema } from './proxy-config';
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
import { ConfigService } from './config.service';

const VersionNumberParam = (): ParameterDecorator =>
  Param('number', new ZodPipe(versionNumberParam, 'params'));
const ChangeMessage = (): ParameterDecorator => Headers(CHANGE_MESSAGE_HEADER);
const ApiChangeMessage = (): MethodDecorator =>
  ApiHeader({
    name: 'Change-Message',
    required: false,
    description: 'recorded with the version this change makes',
  });

@ApiTags('configs')
@ApiSecured()
@Controller('api/v1/configs')
export class ConfigController {
  constructor(private readonly configs: ConfigService) {}

  @Get()
  @ApiList(configSummaryViewSchema, CONFIG_LIST, 'a page of configs, without their documents')
  @Requires('viewer')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodPipe(listQuerySchema(CONFIG_LIST), 'query')) query: ListQuery,
  ): Promise<Page<ConfigSummaryView>> {
    return this.configs.list(principal, query);
  }

  @Get(':id')
  @ApiRead(configViewSchema, "the config and its newest version's document, secrets masked")
  @Requires('viewer')
  get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<ConfigView> {
    return this.configs.get(principal, id);
  }

  @Post()
  @ApiCreate(proxyConfigSchema, configChangeViewSchema, 'the config and its version 1', { yaml: true })
  @ApiChangeMessage()
  @Requires('operator')
  create(
    @CurrentPrincipal() principal: Principal,
    @WriteQuery() _query: unknown,
    @ChangeMessage() message: string | undefined,
    @Body(new ZodPipe(proxyConfigSchema, 'body')) body: ProxyConfig,
  ): Promise<ConfigChangeView> {
    return this.configs.create(principal, body, message ?? '');
  }

  @Put(':id')
  @ApiReplace(
    proxyConfigSchema,
    configChangeViewSchema,
    'the config, its new version, and the change from the previous one',
    { yaml: true },
  )
  @ApiChangeMessage()
  @Requires('operator')
  replace(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @ChangeMessage() message: string | undefined,
    @Body(new ZodPipe(proxyConfigSchema, 'body')) body: ProxyConfig,
  ): Promise<ConfigChangeView> {
    return this.configs.replace(principal, id, expectedVersion, body, message ?? '');
  }

  @Patch(':id')
  @ApiMergePatch(configChangeViewSchema, 'the config, its new version, and the change from the previous one')
  @ApiChangeMessage()
  @Requires('operator')
  patch(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @ChangeMessage() message: string | undefined,
    @Body() patch: unknown,
  ): Promise<ConfigChangeView> {
    return this.configs.patch(principal, id, expectedVersion, patch, message ?? '');
  }

  @Delete(':id')
  @ApiDelete('the config and all its versions are deleted')
  @Requires('operator')
  @HttpCode(204)
  delete(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
  ): Promise<void> {
    return this.configs.delete(principal, id, expectedVersion);
  }

  /** Validates the document sent, or without a body the newest version; stores nothing. */
  @Post(':id/validate')
  @ApiConsumes('application/json', 'application/yaml')
  @ApiBody({ required: false, schema: jsonSchemaOf(proxyConfigSchema, 'input') })
  @ApiResponse({
    status: 200,
    description: 'every issue found, by JSON path',
    schema: jsonSchemaOf(validationReportViewSchema, 'output'),
  })
  @ApiProblems(400, 404, 413, 415)
  @Requires('viewer')
  @HttpCode(200)
  validate(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Body() body: unknown,
  ): Promise<ValidationReportView> {
    const candidate = body === undefined ? undefined : parseRequest(proxyConfigSchema, body, 'body');
    return this.configs.validate(principal, id, candidate);
  }

  @Get(':id/versions')
  @ApiList(configVersionSummaryViewSchema, CONFIG_VERSION_LIST, 'a page of versions, newest first by default')
  @Requires('viewer')
  listVersions(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Query(new ZodPipe(listQuerySchema(CONFIG_VERSION_LIST), 'query')) query: ListQuery,
  ): Promise<Page<ConfigVersionSummaryView>> {
    return this.configs.listVersions(principal, id, query);
  }

  @Get(':id/versions/:number')
  @ApiRead(configVersionViewSchema, 'the version and its document, secrets masked')
  @Requires('viewer')
  getVersion(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @VersionNumberParam() number: number,
  ): Promise<ConfigVersionView> {
    return this.configs.getVersion(principal, id, number);
  }

  @Get(':id/diff')
  @ApiQuery({ name: 'from', schema: { type: 'integer', minimum: 1 } })
  @ApiQuery({ name: 'to', schema: { type: 'integer', minimum: 1 } })
  @ApiResponse({
    status: 200,
    description: 'RFC 6902 patch from `from` to `to`, and a unified diff',
    schema: jsonSchemaOf(configDiffViewSchema, 'output'),
  })
  @ApiProblems(400, 404)
  @Requires('viewer')
  diff(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Query(new ZodPipe(diffQuerySchema, 'query')) query: DiffQuery,
  ): Promise<ConfigDiff> {
    return this.configs.diff(principal, id, query.from, query.to);
  }

  /** Makes a new version equal to version `number`; needs the config's ETag like any update. */
  @Post(':id/versions/:number/rollback')
  @ApiHeader({ name: 'If-Match', required: true, description: "the config's ETag" })
  @ApiQuery({ name: 'dryRun', required: false, schema: { type: 'string', enum: ['true', 'false'] } })
  @ApiChangeMessage()
  @ApiResponse({
    status: 200,
    description: 'the config and its new version, equal to version `number`',
    schema: jsonSchemaOf(configChangeViewSchema, 'output'),
  })
  @ApiProblems(400, 404, 412, 428)
  @Requires('operator')
  @HttpCode(200)
  rollback(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @VersionNumberParam() number: number,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @ChangeMessage() message: string | undefined,
  ): Promise<ConfigChangeView> {
    return this.configs.rollback(principal, id, expectedVersion, number, message ?? '');
  }
}
