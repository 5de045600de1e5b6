import { Module } from '@nestjs/common';
import { RoleBindingController } from './role-binding.controller';
import { RoleBindingService } from './role-binding.service';

@Module({ controllers: [RoleBindingController], providers: [RoleBindingService] })
export class RoleBindingModule {}
