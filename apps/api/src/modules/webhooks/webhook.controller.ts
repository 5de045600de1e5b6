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
  type CreatedWebhookView,
  createdWebhookViewSchema,
  WEBHOOK_DELIVERY_LIST,
  WEBHOOK_LIST,
  type WebhookCreate,
  webhookCreateSchema,
  type WebhookDeliveryView,
  webhookDeliveryViewSchema,
  type WebhookView,
  webhookViewSchema,
  type WebhookWrite,
  webhookWriteSchema,
} from './webhook.dto';
import { WebhookService } from './webhook.service';

@ApiTags('webhooks')
@ApiSecured()
@Controller('api/v1/webhooks')
export class WebhookController {
  constructor(private readonly webhooks: WebhookService) {}

  @ApiList(webhookViewSchema, WEBHOOK_LIST, 'a page of webhook subscriptions')
  @Get()
  @Requires('viewer')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodPipe(listQuerySchema(WEBHOOK_LIST), 'query')) query: ListQuery,
  ): Promise<Page<WebhookView>> {
    return this.webhooks.list(principal, query);
  }

  @ApiRead(webhookViewSchema, 'the webhook subscription, without its secret')
  @Get(':id')
  @Requires('viewer')
  get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<WebhookView> {
    return this.webhooks.get(principal, id);
  }

  @ApiList(webhookDeliveryViewSchema, WEBHOOK_DELIVERY_LIST, 'a page of delivery attempts, newest first')
  @Get(':id/deliveries')
  @Requires('viewer')
  deliveries(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Query(new ZodPipe(listQuerySchema(WEBHOOK_DELIVERY_LIST), 'query')) query: ListQuery,
  ): Promise<Page<WebhookDeliveryView>> {
    return this.webhooks.listDeliveries(principal, id, query);
  }

  @ApiCreate(webhookCreateSchema, createdWebhookViewSchema, 'the subscription, with its secret this once')
  @Post()
  @Requires('operator')
  create(
    @CurrentPrincipal() principal: Principal,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(webhookCreateSchema, 'body')) body: WebhookCreate,
  ): Promise<CreatedWebhookView> {
    return this.webhooks.create(principal, body);
  }

  @ApiReplace(webhookWriteSchema, webhookViewSchema, 'the subscription as stored')
  @Put(':id')
  @Requires('operator')
  replace(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @Body(new ZodPipe(webhookWriteSchema, 'body')) body: WebhookWrite,
  ): Promise<WebhookView> {
    return this.webhooks.replace(principal, id, expectedVersion, body);
  }

  @ApiMergePatch(webhookViewSchema, 'the subscription as stored')
  @Patch(':id')
  @Requires('operator')
  patch(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
    @Body() patch: unknown,
  ): Promise<WebhookView> {
    return this.webhooks.patch(principal, id, expectedVersion, patch);
  }

  @ApiDelete('the subscription and its delivery log are deleted')
  @Delete(':id')
  @Requires('operator')
  @HttpCode(204)
  delete(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @ExpectedVersion() expectedVersion: number,
    @WriteQuery() _query: unknown,
  ): Promise<void> {
    return this.webhooks.delete(principal, id, expectedVersion);
  }
}
