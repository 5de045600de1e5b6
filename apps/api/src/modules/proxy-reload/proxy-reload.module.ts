import { Module } from '@nestjs/common';
import { ProxyReloadController } from './proxy-reload.controller';
import { ProxyReloadService } from './proxy-reload.service';

@Module({ controllers: [ProxyReloadController], providers: [ProxyReloadService] })
export class ProxyReloadModule {}
