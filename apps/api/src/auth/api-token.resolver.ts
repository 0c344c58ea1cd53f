import type { ApiTokenRole } from '@kdlens/core';
import { apiTokenNameSchema, createApiToken, listApiTokens, revokeApiToken } from '@kdlens/core/db';
import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { badUserInput, notFound } from '../errors/api-error.ts';
import { parseId } from '../errors/parse-id.ts';
import { ApiTokenType, CreatedTokenType, TokenRoleEnum, ViewerType } from './api-token.type.ts';

@Resolver()
export class ApiTokenResolver {
  @Query(() => ViewerType, { description: 'Who the API takes the caller to be; needs no token.' })
  viewer(@Ctx() ctx: ApiContext): ViewerType {
    const { caller, anonymousRead } = ctx.auth;
    return {
      role: caller?.role ?? null,
      anonymous: caller === null,
      name: caller?.name ?? null,
      canRead: caller !== null || anonymousRead,
    };
  }

  @Authorized<ApiTokenRole>('admin')
  @Query(() => [ApiTokenType], { description: 'Every API token, newest first (admin).' })
  apiTokens(@Ctx() ctx: ApiContext): Promise<ApiTokenType[]> {
    return listApiTokens(ctx.db);
  }

  @Authorized<ApiTokenRole>('admin')
  @Mutation(() => CreatedTokenType, {
    description: 'A new token; its plaintext is in this answer only (admin).',
  })
  async createApiToken(
    @Ctx() ctx: ApiContext,
    // type-graphql lists arguments in reverse order of the parameters; this prints (name, role).
    @Arg('role', () => TokenRoleEnum) role: ApiTokenRole,
    @Arg('name', () => String) name: string,
  ): Promise<CreatedTokenType> {
    const parsed = apiTokenNameSchema.safeParse(name);
    if (!parsed.success) {
      throw badUserInput(`name: ${parsed.error.issues[0]?.message ?? 'invalid'}`, {
        argument: 'name',
      });
    }
    return createApiToken(ctx.db, { name: parsed.data, role });
  }

  @Authorized<ApiTokenRole>('admin')
  @Mutation(() => ApiTokenType, {
    description: 'Revokes a token at once; revoking twice is harmless (admin).',
  })
  async revokeApiToken(
    @Ctx() ctx: ApiContext,
    @Arg('id', () => ID) id: string,
  ): Promise<ApiTokenType> {
    const revoked = await revokeApiToken(ctx.db, parseId(id));
    if (!revoked) throw notFound(`no API token with id ${id}`);
    return revoked;
  }
}
