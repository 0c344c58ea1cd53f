// `npm run build -w @kdlens/trainer` (turbo's build, so `npm start` and `npm run build`): builds
// the native convolution addon with node-gyp when a C++ toolchain is present. The addon is
// optional: without it the trainer runs its wasm kernels, so a failed build is a warning here.
// CI runs `npm run build:native`, which fails on any error.
import { spawnSync } from 'node:child_process';

if (process.arch !== 'x64') {
  console.warn(`native kernels: skipped (${process.arch}: the kernels are AVX2 x86-64 code)`);
  process.exit(0);
}
const result = spawnSync('npm', ['run', 'build:native', '--silent'], {
  stdio: ['ignore', 'ignore', 'pipe'],
  encoding: 'utf8',
});
if (result.status !== 0) {
  const last = (result.stderr ?? '').trim().split('\n').slice(-3).join('\n');
  console.warn(`native kernels: not built, training uses the wasm kernels\n${last}`);
} else {
  console.log('native kernels: built (native/build/Release/kdlens_native.node)');
}
