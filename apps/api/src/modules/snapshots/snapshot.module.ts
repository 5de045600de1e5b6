import { Module } from '@nestjs/common';
import { ProxyModule } from '../proxies/proxy.module';
import { SnapshotQueryService } from './snapshot-query.service';
import { SnapshotRebuildController } from './snapshot-rebuild.controller';
import { SnapshotRebuildService } from './snapshot-rebuild.service';
import { SnapshotReplies } from './snapshot-replies';

@Module({
  imports: [ProxyModule],
  controllers: [SnapshotRebuildController],
  providers: [SnapshotRebuildService, SnapshotReplies, SnapshotQueryService],
  exports: [SnapshotQueryService],
})
export class SnapshotModule {}
