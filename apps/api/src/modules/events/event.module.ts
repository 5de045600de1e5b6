import { Module } from '@nestjs/common';
import { EventController } from './event.controller';
import { EventHub } from './event-hub';
import { EventService } from './event.service';

@Module({ controllers: [EventController], providers: [EventHub, EventService], exports: [EventService] })
export class EventModule {}
