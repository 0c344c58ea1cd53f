import { backendNames } from '@kdlens/core';
import { Option } from 'commander';

export const backendOption = () =>
  new Option(
    '--backend <name>',
    'TensorFlow.js backend; auto = tensorflow-gpu if it sees a GPU, else tensorflow, wasm, cpu (default: KDLENS_BACKEND or auto)',
  ).choices(backendNames);
