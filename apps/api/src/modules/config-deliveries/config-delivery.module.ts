import { Module } from '@nestjs/common';
import { ConfigDeliveryController } from './config-delivery.controller';
import { ConfigDeliveryService } from './config-delivery.service';

@Module({ controllers: [ConfigDeliveryController], providers: [ConfigDeliveryService] })
export class ConfigDeliveryModule {}
