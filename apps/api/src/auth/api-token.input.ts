import type { ApiTokenRole } from '@kdlens/core';
import { Field, ID, InputType } from 'type-graphql';
import { TokenRoleEnum } from './api-token.type.ts';

@InputType('CreateApiTokenInput')
export class CreateApiTokenInput {
  @Field(() => String) name!: string;
  @Field(() => TokenRoleEnum) role!: ApiTokenRole;
}

@InputType('RevokeApiTokenInput')
export class RevokeApiTokenInput {
  @Field(() => ID) id!: string;
}
