import {
  applyDecorators,
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
  Res,
  type Type,
} from '@nestjs/common';
import { ApiHeader, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { etagOf } from '../../http/etag';
import { type ListQuery, listQuerySchema, type Page } from '../../http/list-query';
import { ExpectedVersion, WriteQuery } from '../../http/request-params';
import { uuidParam } from '../../http/request-schemas';
import { ZodPipe } from '../../http/zod-request';
import {
  ApiCreate,
  ApiList,
  ApiMergePatch,
  ApiProblems,
  ApiRead,
  ApiReplace,
  ApiSecured,
} from '../../openapi/api-docs.decorators';
import { CHANGE_MESSAGE_HEADER } from '../configs/config.dto';
import { jsonSchemaOf } from '../../openapi/zod-json-schema';
import { XDS_RESOURCE_KINDS, type XdsResourceKind } from './xds-resource-kinds';
import {
  resourceNameParam,
  XDS_RESOURCE_LIST,
  type XdsResourceChangeView,
  xdsResourceChangeViewSchema,
  type XdsResourceCreate,
  xdsResourceCreateSchema,
  type XdsResourceRemovalView,
  xdsResourceRemovalViewSchema,
  type XdsResourceView,
  xdsResourceViewSchema,
  type XdsResourceWrite,
  xdsResourceWriteSchema,
} from './xds-resource.dto';
import { XdsResourceService } from './xds-resource.service';

const ConfigIdParam = (): ParameterDecorator => Param('configId', new ZodPipe(uuidParam, 'params'));
const NameParam = (): ParameterDecorator => Param('name', new ZodPipe(resourceNameParam, 'params'));
const ChangeMessage = (): ParameterDecorator => Headers(CHANGE_MESSAGE_HEADER);
const ApiChangeMessage = (): MethodDecorator =>
  ApiHeader({
    name: 'Change-Message',
    required: false,
    description: 'recorded with the config version this change makes',
  });

function ApiResourceKey(kind: XdsResourceKind): MethodDecorator {
  return applyDecorators(
    ApiParam({
      name: 'configId',
      description: 'the config the resource belongs to',
      schema: { type: 'string', format: 'uuid' },
    }),
    ApiParam({
      name: 'name',
      description: `the ${kind.message}'s ${kind.nameField} (URL-encoded)`,
      schema: { type: 'string' },
    }),
  );
}

function withEtag<T extends { version: number }>(reply: FastifyReply, view: T): T {
  void reply.header('ETag', etagOf(view.version));
  return view;
}

/**
 * The REST collection of one xDS resource type, `/api/v1/<path>`, each resource addressed as
 * `/{configId}/{name}`. Every write makes a new version of the config; its ETag is the config's.
 */
function xdsResourceController(kind: XdsResourceKind): Type {
  const label = kind.message.split('.').pop() ?? kind.type;

  @ApiTags('xds resources')
  @ApiSecured()
  @Controller(`api/v1/${kind.path}`)
  class XdsResourceController {
    constructor(readonly resources: XdsResourceService) {}

    @Get()
    @ApiList(
      xdsResourceViewSchema,
      XDS_RESOURCE_LIST,
      `a page of ${label} resources from the newest version of each config; \`config\` filters by config id, \`labels\` selects by the config's labels`,
    )
    @Requires('viewer')
    list(
      @CurrentPrincipal() principal: Principal,
      @Query(new ZodPipe(listQuerySchema(XDS_RESOURCE_LIST), 'query')) query: ListQuery,
    ): Promise<Page<XdsResourceView>> {
      return this.resources.list(principal, kind, query);
    }

    @Get(':configId/:name')
    @ApiResourceKey(kind)
    @ApiRead(xdsResourceViewSchema, `the ${label} as the config's newest version holds it`)
    @Requires('viewer')
    async get(
      @CurrentPrincipal() principal: Principal,
      @ConfigIdParam() configId: string,
      @NameParam() name: string,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<XdsResourceView> {
      return withEtag(reply, await this.resources.get(principal, kind, configId, name));
    }

    @Post()
    @ApiCreate(
      xdsResourceCreateSchema,
      xdsResourceChangeViewSchema,
      `the ${label} as the config's new version holds it, and the change`,
    )
    @ApiChangeMessage()
    @Requires('operator')
    async create(
      @CurrentPrincipal() principal: Principal,
      @WriteQuery() _query: unknown,
      @ChangeMessage() message: string | undefined,
      @Body(new ZodPipe(xdsResourceCreateSchema, 'body')) body: XdsResourceCreate,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<XdsResourceChangeView> {
      const created = await this.resources.create(
        principal,
        kind,
        body.configId,
        body.resource,
        message ?? '',
      );
      void reply.header(
        'Location',
        `/api/v1/${kind.path}/${created.configId}/${encodeURIComponent(created.name)}`,
      );
      return withEtag(reply, created);
    }

    @Put(':configId/:name')
    @ApiResourceKey(kind)
    @ApiReplace(
      xdsResourceWriteSchema,
      xdsResourceChangeViewSchema,
      `the ${label} as the config's new version holds it, and the change; If-Match takes the config's ETag`,
    )
    @ApiChangeMessage()
    @Requires('operator')
    async replace(
      @CurrentPrincipal() principal: Principal,
      @ConfigIdParam() configId: string,
      @NameParam() name: string,
      @ExpectedVersion() expectedVersion: number,
      @WriteQuery() _query: unknown,
      @ChangeMessage() message: string | undefined,
      @Body(new ZodPipe(xdsResourceWriteSchema, 'body')) body: XdsResourceWrite,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<XdsResourceChangeView> {
      return withEtag(
        reply,
        await this.resources.replace(
          principal,
          kind,
          configId,
          name,
          expectedVersion,
          body.resource,
          message ?? '',
        ),
      );
    }

    @Patch(':configId/:name')
    @ApiResourceKey(kind)
    @ApiMergePatch(
      xdsResourceChangeViewSchema,
      `a JSON Merge Patch of {resource}; the ${label} as the config's new version holds it, and the change`,
    )
    @ApiChangeMessage()
    @Requires('operator')
    async patch(
      @CurrentPrincipal() principal: Principal,
      @ConfigIdParam() configId: string,
      @NameParam() name: string,
      @ExpectedVersion() expectedVersion: number,
      @WriteQuery() _query: unknown,
      @ChangeMessage() message: string | undefined,
      @Body() patch: unknown,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<XdsResourceChangeView> {
      return withEtag(
        reply,
        await this.resources.patch(principal, kind, configId, name, expectedVersion, patch, message ?? ''),
      );
    }

    @Delete(':configId/:name')
    @ApiResourceKey(kind)
    @ApiHeader({ name: 'If-Match', required: true, description: 'the config\'s ETag (W/"<version>")' })
    @ApiQuery({
      name: 'dryRun',
      required: false,
      schema: { type: 'string', enum: ['true', 'false'] },
      description: 'true: answer with the change the delete would make, and store nothing',
    })
    @ApiChangeMessage()
    @ApiResponse({
      status: 200,
      description: `the config version without the ${label}, and the change`,
      schema: jsonSchemaOf(xdsResourceRemovalViewSchema, 'output'),
    })
    @ApiProblems(400, 404, 412, 422, 428)
    @Requires('operator')
    @HttpCode(200)
    async remove(
      @CurrentPrincipal() principal: Principal,
      @ConfigIdParam() configId: string,
      @NameParam() name: string,
      @ExpectedVersion() expectedVersion: number,
      @WriteQuery() _query: unknown,
      @ChangeMessage() message: string | undefined,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<XdsResourceRemovalView> {
      return withEtag(
        reply,
        await this.resources.remove(principal, kind, configId, name, expectedVersion, message ?? ''),
      );
    }
  }

  Object.defineProperty(XdsResourceController, 'name', { value: `${label}Controller` });
  return XdsResourceController;
}

export const XDS_RESOURCE_CONTROLLERS: readonly Type[] = XDS_RESOURCE_KINDS.map(xdsResourceController);
