import { type ApiTokenRole, apiTokenRoles } from '@kdlens/core';
import { Field, GraphQLISODateTime, ID, ObjectType, registerEnumType } from 'type-graphql';

export const TokenRoleEnum = Object.fromEntries(apiTokenRoles.map((r) => [r, r])) as {
  [K in ApiTokenRole]: K;
};
registerEnumType(TokenRoleEnum, {
  name: 'TokenRole',
  description:
    'viewer reads; operator also launches, cancels and imports; admin also manages tokens',
});

@ObjectType('ApiToken', { description: 'An API token as admins see it: never the token itself.' })
export class ApiTokenType {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => TokenRoleEnum) role!: ApiTokenRole;
  @Field(() => String, { description: 'First characters of the token, to recognise it by.' })
  prefix!: string;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) revokedAt!: Date | null;
}

@ObjectType('CreateApiTokenPayload')
export class CreateApiTokenPayload {
  @Field(() => String, { description: 'The bearer token. Shown this once; only its hash is kept.' })
  token!: string;
  @Field(() => ApiTokenType) apiToken!: ApiTokenType;
}

@ObjectType('RevokeApiTokenPayload')
export class RevokeApiTokenPayload {
  @Field(() => ApiTokenType, { description: 'The token, now revoked.' }) apiToken!: ApiTokenType;
}

@ObjectType('Viewer', { description: 'Who the API takes the caller to be.' })
export class ViewerType {
  @Field(() => TokenRoleEnum, { nullable: true, description: 'null without a token.' })
  role!: ApiTokenRole | null;
  @Field(() => Boolean) anonymous!: boolean;
  @Field(() => String, { nullable: true, description: "The token's name." }) name!: string | null;
  @Field(() => Boolean, { description: 'Whether this caller may read experiments and runs.' })
  canRead!: boolean;
}
