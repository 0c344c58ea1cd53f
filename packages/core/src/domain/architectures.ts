import { z } from 'zod';

/**
 * The study's model architectures; the trainer's builder (apps/trainer/src/engine/models/index.ts)
 * imports this list and switches over it exhaustively.
 */
export const architectureNames = [
  'resnet20',
  'resnet32',
  'resnet56',
  'resnet110',
  'resnet18',
  'resnet34',
  'resnet50',
  'lenet5',
  'mlp',
  'reference-cnn',
  'transformer',
  'bigru',
] as const;
export const architectureNameSchema = z.enum(architectureNames);
export type ArchitectureName = z.infer<typeof architectureNameSchema>;

/** Text models read token ids; every other architecture reads NHWC images. */
export const textArchitectureNames = [
  'transformer',
  'bigru',
] as const satisfies readonly ArchitectureName[];

export function architectureInputKind(name: ArchitectureName): 'image' | 'text' {
  return (textArchitectureNames as readonly string[]).includes(name) ? 'text' : 'image';
}

/**
 * Input sizes an architecture accepts, where it is picky: the ImageNet-style ResNets choose
 * their stem by size (apps/trainer/src/engine/models/resnet.ts); LeNet-5 needs room for two
 * valid 5×5 convolutions and two poolings.
 */
export function acceptsImageSize(name: ArchitectureName, size: number): string | undefined {
  if (
    (name === 'resnet18' || name === 'resnet34' || name === 'resnet50') &&
    ![32, 64, 224].includes(size)
  ) {
    return `${name} takes 32, 64 or 224 px images`;
  }
  if (name === 'lenet5' && size < 14) return 'lenet5 needs images of at least 14 px';
  return undefined;
}
