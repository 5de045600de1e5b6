import { Module } from '@nestjs/common';
import { AgentReplies } from './agent-replies';
import { ProxyDiagnosticsController } from './proxy-diagnostics.controller';
import { ProxyDiagnosticsService } from './proxy-diagnostics.service';

@Module({ controllers: [ProxyDiagnosticsController], providers: [AgentReplies, ProxyDiagnosticsService] })
export class ProxyDiagnosticsModule {}
