import { Module } from '@nestjs/common';
import { SnapshotRebuildController } from './snapshot-rebuild.controller';
import { SnapshotRebuildService } from './snapshot-rebuild.service';

@Module({ controllers: [SnapshotRebuildController], providers: [SnapshotRebuildService] })
export class SnapshotModule {}
