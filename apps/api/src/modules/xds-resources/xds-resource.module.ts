import { Module } from '@nestjs/common';
import { ConfigModule } from '../configs/config.module';
import { XDS_RESOURCE_CONTROLLERS } from './xds-resource.controllers';
import { XdsResourceService } from './xds-resource.service';

/** `/api/v1/{listeners,route-configs,clusters,cluster-load-assignments,secrets}`. */
@Module({
  imports: [ConfigModule],
  controllers: [...XDS_RESOURCE_CONTROLLERS],
  providers: [XdsResourceService],
  exports: [XdsResourceService],
})
export class XdsResourceModule {}
