import {
  AnnotationError,
  type ApiTokenRole,
  annotationLimits,
  parseExperimentAnnotations,
} from '@kdlens/core';
import { updateExperimentAnnotations } from '@kdlens/core/db';
import { Arg, Authorized, Ctx, Field, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { badUserInput, notFound } from '../errors/api-error.ts';
import { ExperimentType } from './experiment.type.ts';
import { UpdateExperimentAnnotationsInput } from './experiment-annotations.input.ts';
import { describeRef, experimentRef, findExperimentByRef } from './experiment-ref.ts';

@ObjectType('UpdateExperimentAnnotationsPayload')
export class UpdateExperimentAnnotationsPayload {
  @Field(() => ExperimentType) experiment!: ExperimentType;
}

/** Tags and a note per experiment: operators write them, every reader sees them. */
@Resolver()
export class ExperimentAnnotationsResolver {
  @Authorized<ApiTokenRole>('operator')
  @Mutation(() => UpdateExperimentAnnotationsPayload, {
    description:
      "Replaces an experiment's tags and note (operator and admin tokens). BAD_USER_INPUT names the first bad field (extensions.argument: input.tags[2], input.note).",
  })
  async updateExperimentAnnotations(
    @Ctx() ctx: ApiContext,
    @Arg('input', () => UpdateExperimentAnnotationsInput) input: UpdateExperimentAnnotationsInput,
  ): Promise<UpdateExperimentAnnotationsPayload> {
    const ref = experimentRef(input.id, input.name, ['input.id', 'input.name']);
    // Checked before parsing, so a huge list is refused without walking it.
    if (input.tags.length > annotationLimits.tagsPerExperiment) {
      throw annotationInput(
        new AnnotationError(
          'tags',
          `at most ${annotationLimits.tagsPerExperiment} tags per experiment`,
        ),
      );
    }
    let annotations: ReturnType<typeof parseExperimentAnnotations>;
    try {
      annotations = parseExperimentAnnotations({ tags: input.tags, note: input.note ?? null });
    } catch (error) {
      if (error instanceof AnnotationError) throw annotationInput(error);
      throw error;
    }
    const found = await findExperimentByRef(ctx.db, ref);
    if (!found) throw notFound(`no experiment has ${describeRef(ref)}`);
    const updated = await updateExperimentAnnotations(ctx.db, found.id, annotations);
    // Deleted between the two statements.
    if (!updated) throw notFound(`no experiment has ${describeRef(ref)}`);
    return { experiment: updated };
  }
}

function annotationInput(error: AnnotationError) {
  const argument = `input.${error.field}`;
  return badUserInput(`input.${error.message}`, { argument });
}
