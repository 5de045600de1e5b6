import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { type ListQuery, listQuerySchema, type Page } from '../../http/list-query';
import { ZodPipe } from '../../http/zod-request';
import { ApiList, ApiProblems, ApiSecured } from '../../openapi/api-docs.decorators';
import { jsonSchemaOf } from '../../openapi/zod-json-schema';
import {
  CLUSTER_LIST,
  clusterNameParam,
  type ServiceDetailView,
  serviceDetailViewSchema,
  type ServiceEndpointsDetailView,
  serviceEndpointsDetailViewSchema,
  type ServiceEndpointsView,
  serviceEndpointsViewSchema,
  type ServiceView,
  serviceViewSchema,
} from './service-discovery.dto';
import { ServiceDiscoveryService } from './service-discovery.service';

@ApiTags('service-discovery')
@ApiSecured()
@Controller('api/v1')
export class ServiceDiscoveryController {
  constructor(private readonly discovery: ServiceDiscoveryService) {}

  @ApiList(
    serviceViewSchema,
    CLUSTER_LIST,
    "a page of services: each cluster of each config's newest version",
  )
  @Get('services')
  @Requires('viewer')
  listServices(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodPipe(listQuerySchema(CLUSTER_LIST), 'query')) query: ListQuery,
  ): Promise<Page<ServiceView>> {
    return this.discovery.listServices(principal, query);
  }

  @ApiResponse({
    status: 200,
    description: 'the clusters of this name across the configs',
    schema: jsonSchemaOf(serviceDetailViewSchema, 'output'),
  })
  @ApiProblems(400, 404)
  @Get('services/:name')
  @Requires('viewer')
  getService(
    @CurrentPrincipal() principal: Principal,
    @Param('name', new ZodPipe(clusterNameParam, 'params')) name: string,
  ): Promise<ServiceDetailView> {
    return this.discovery.getService(principal, name);
  }

  @ApiList(serviceEndpointsViewSchema, CLUSTER_LIST, 'a page of services with their endpoints')
  @Get('endpoints')
  @Requires('viewer')
  listEndpoints(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodPipe(listQuerySchema(CLUSTER_LIST), 'query')) query: ListQuery,
  ): Promise<Page<ServiceEndpointsView>> {
    return this.discovery.listEndpoints(principal, query);
  }

  @ApiResponse({
    status: 200,
    description: 'the endpoints of the service in each config that defines it',
    schema: jsonSchemaOf(serviceEndpointsDetailViewSchema, 'output'),
  })
  @ApiProblems(400, 404)
  @Get('endpoints/:service')
  @Requires('viewer')
  getEndpoints(
    @CurrentPrincipal() principal: Principal,
    @Param('service', new ZodPipe(clusterNameParam, 'params')) service: string,
  ): Promise<ServiceEndpointsDetailView> {
    return this.discovery.getEndpoints(principal, service);
  }
}
