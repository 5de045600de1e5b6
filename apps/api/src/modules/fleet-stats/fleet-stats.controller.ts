import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { Controller, Get } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { ApiProblems, ApiSecured } from '../../openapi/api-docs.decorators';
import { jsonSchemaOf } from '../../openapi/zod-json-schema';
import { type FleetStatsView, fleetStatsViewSchema } from './fleet-stats.dto';
import { FleetStatsService } from './fleet-stats.service';

@ApiTags('stats')
@ApiSecured()
@Controller('api/v1/stats')
export class FleetStatsController {
  constructor(private readonly fleetStats: FleetStatsService) {}

  @ApiResponse({
    status: 200,
    description: "counts of the tenant's proxies, nodes, groups and configs, by status",
    schema: jsonSchemaOf(fleetStatsViewSchema, 'output'),
  })
  @ApiProblems()
  @Get()
  @Requires('viewer')
  stats(@CurrentPrincipal() principal: Principal): Promise<FleetStatsView> {
    return this.fleetStats.stats(principal);
  }
}
