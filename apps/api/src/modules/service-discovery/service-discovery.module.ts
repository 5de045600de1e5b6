import { Module } from '@nestjs/common';
import { ServiceDiscoveryController } from './service-discovery.controller';
import { ServiceDiscoveryService } from './service-discovery.service';

@Module({ controllers: [ServiceDiscoveryController], providers: [ServiceDiscoveryService] })
export class ServiceDiscoveryModule {}
