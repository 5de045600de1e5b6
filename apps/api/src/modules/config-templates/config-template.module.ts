import { Module } from '@nestjs/common';
import { ConfigModule } from '../configs/config.module';
import { ConfigTemplateController } from './config-template.controller';
import { ConfigTemplateService } from './config-template.service';

@Module({
  imports: [ConfigModule],
  controllers: [ConfigTemplateController],
  providers: [ConfigTemplateService],
})
export class ConfigTemplateModule {}
