import { backendNames } from '@kdlens/core';
import { Option } from 'commander';

export const backendOption = () =>
  new Option('--backend <name>', 'TensorFlow.js backend (default: KDLENS_BACKEND or auto)').choices(
    backendNames,
  );
