import { Module } from '@nestjs/common';
import { ConfigReleaseController } from './config-release.controller';
import { ConfigReleaseService } from './config-release.service';

@Module({ controllers: [ConfigReleaseController], providers: [ConfigReleaseService] })
export class ConfigReleaseModule {}
