import { Module } from '@nestjs/common';
import { FleetStatsController } from './fleet-stats.controller';
import { FleetStatsService } from './fleet-stats.service';

@Module({ controllers: [FleetStatsController], providers: [FleetStatsService] })
export class FleetStatsModule {}
