import { type Database, findExperimentById, findExperimentByName } from '@kdlens/core/db';
import { parseId } from '../errors/parse-id.ts';
import type { ExperimentType } from './experiment.type.ts';
import { badArgument } from './lookup-errors.ts';

/** An experiment as a client addresses it: by id or by its (unique) name. */
export type ExperimentRef = { id: string } | { name: string };

/**
 * Exactly one of the id and name arguments, or BAD_USER_INPUT naming both. The API never guesses
 * which one a string is (as `findExperiment` does for the CLI's one positional argument): the
 * argument says it, so an experiment whose name looks like a UUID is still found by name.
 */
export function experimentRef(
  id: string | null | undefined,
  name: string | null | undefined,
  [idArgument, nameArgument]: readonly [string, string],
): ExperimentRef {
  const hasId = id !== null && id !== undefined;
  const hasName = name !== null && name !== undefined;
  if (hasId === hasName) {
    throw badArgument(
      `give exactly one of ${idArgument} and ${nameArgument}, not ${hasId ? 'both' : 'neither'}`,
      hasId ? nameArgument : idArgument,
    );
  }
  return hasId ? { id: parseId(id, idArgument) } : { name: name as string };
}

/** The experiment a ref names, or undefined. */
export function findExperimentByRef(
  db: Database,
  ref: ExperimentRef,
): Promise<ExperimentType | undefined> {
  return 'id' in ref ? findExperimentById(db, ref.id) : findExperimentByName(db, ref.name);
}

/** The ref in words, for a NOT_FOUND message. */
export function describeRef(ref: ExperimentRef): string {
  return 'id' in ref ? `id ${ref.id}` : `name ${JSON.stringify(ref.name)}`;
}
