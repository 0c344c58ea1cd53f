import { Option } from 'commander';
import { backendNames } from '../engine/index.ts';

export const backendOption = () =>
  new Option('--backend <name>', 'TensorFlow.js backend (default: KDLENS_BACKEND or auto)').choices(
    backendNames,
  );
