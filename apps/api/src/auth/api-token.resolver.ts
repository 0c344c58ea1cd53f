import type { ApiTokenRole } from '@kdlens/core';
import { apiTokenNameSchema, createApiToken, listApiTokens, revokeApiToken } from '@kdlens/core/db';
import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { badUserInput, notFound } from '../errors/api-error.ts';
import { parseId } from '../errors/parse-id.ts';
import { CreateApiTokenInput, RevokeApiTokenInput } from './api-token.input.ts';
import {
  ApiTokenType,
  CreateApiTokenPayload,
  RevokeApiTokenPayload,
  ViewerType,
} from './api-token.type.ts';

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
  @Mutation(() => CreateApiTokenPayload, {
    description: 'A new token; its plaintext is in this answer only (admin).',
  })
  async createApiToken(
    @Ctx() ctx: ApiContext,
    @Arg('input', () => CreateApiTokenInput) { name, role }: CreateApiTokenInput,
  ): Promise<CreateApiTokenPayload> {
    const parsed = apiTokenNameSchema.safeParse(name);
    if (!parsed.success) {
      throw badUserInput(`input.name: ${parsed.error.issues[0]?.message ?? 'invalid'}`, {
        argument: 'input.name',
      });
    }
    const created = await createApiToken(ctx.db, { name: parsed.data, role });
    return { token: created.token, apiToken: created.info };
  }

  @Authorized<ApiTokenRole>('admin')
  @Mutation(() => RevokeApiTokenPayload, {
    description: 'Revokes a token at once; revoking twice is harmless (admin).',
  })
  async revokeApiToken(
    @Ctx() ctx: ApiContext,
    @Arg('input', () => RevokeApiTokenInput) { id }: RevokeApiTokenInput,
  ): Promise<RevokeApiTokenPayload> {
    const revoked = await revokeApiToken(ctx.db, parseId(id, 'input.id'));
    if (!revoked) throw notFound(`no API token with id ${id}`);
    return { apiToken: revoked };
  }
}
