import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  type BackendEnvironment,
  type BackendLog,
  BackendUnavailableError,
  backendNames,
  initBackend,
  selectBackend,
  UnknownBackendError,
} from './backend.ts';

/** What the fake native package's backend reports, like NodeJSKernelBackend's fields. */
interface FakeNativeBackend {
  isGPUPackage: boolean;
  isUsingGpuDevice: boolean;
}

interface FakeOptions {
  /** undefined = the package is not installed (its import throws). */
  gpuPackage?: { seesGpu: boolean };
  cpuPackage?: boolean;
  wasmFails?: boolean;
}

/**
 * A tfjs engine in miniature: importing a native package registers 'tensorflow'
 * unless the name is taken (as tf.registerBackend does), and the backend
 * instance carries the package's GPU flags.
 */
function fakeEnvironment(o: FakeOptions) {
  const registered = new Map<string, FakeNativeBackend | object>([['cpu', {}]]);
  const imports: string[] = [];
  let active = 'cpu';
  const registerNative = (backend: FakeNativeBackend) => {
    if (!registered.has('tensorflow')) registered.set('tensorflow', backend);
  };
  const env: BackendEnvironment = {
    importTensorflowGpu: async () => {
      imports.push('@tensorflow/tfjs-node-gpu');
      if (o.gpuPackage === undefined) {
        throw new Error("Cannot find package '@tensorflow/tfjs-node-gpu'\nRequire stack: ...");
      }
      registerNative({ isGPUPackage: true, isUsingGpuDevice: o.gpuPackage.seesGpu });
    },
    importTensorflow: async () => {
      imports.push('@tensorflow/tfjs-node');
      if (o.cpuPackage !== true) throw new Error("Cannot find package '@tensorflow/tfjs-node'");
      registerNative({ isGPUPackage: false, isUsingGpuDevice: false });
    },
    prepareWasm: async () => {
      if (o.wasmFails === true) throw new Error('wasm binary not found');
      registered.set('wasm', {});
    },
    isRegistered: (name) => registered.has(name),
    setBackend: async (name) => {
      if (!registered.has(name)) return false;
      active = name;
      return true;
    },
    backendInstance: (name) => registered.get(name),
    activeBackend: () => active,
  };
  return { env, imports };
}

function recordingLog() {
  const lines: { level: 'info' | 'warn'; fields: Record<string, unknown>; message: string }[] = [];
  const log: BackendLog = {
    info: (fields, message) => lines.push({ level: 'info', fields, message }),
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
  };
  return { log, lines };
}

describe('selectBackend: the auto ladder', () => {
  it('takes tfjs-node-gpu when it loads and sees a GPU, recorded as tensorflow-gpu', async () => {
    const { env, imports } = fakeEnvironment({ gpuPackage: { seesGpu: true }, cpuPackage: true });
    const info = await selectBackend('auto', env);
    expect(info).toEqual({
      requested: 'auto',
      name: 'tensorflow-gpu',
      active: 'tensorflow',
      skipped: [],
    });
    expect(imports).toEqual(['@tensorflow/tfjs-node-gpu']);
  });

  it('falls through to tensorflow, with a warning, when the GPU package sees no GPU', async () => {
    const { env, imports } = fakeEnvironment({ gpuPackage: { seesGpu: false } });
    const { log, lines } = recordingLog();
    const info = await selectBackend('auto', env, log);
    expect(info.name).toBe('tensorflow');
    expect(info.active).toBe('tensorflow');
    expect(info.skipped).toEqual([
      { backend: 'tensorflow-gpu', reason: expect.stringMatching(/sees no GPU device/) },
    ]);
    // The GPU package's backend already runs on the CPU device: no second libtensorflow.
    expect(imports).toEqual(['@tensorflow/tfjs-node-gpu']);
    expect(lines.filter((l) => l.level === 'warn')).toEqual([
      {
        level: 'warn',
        fields: { backend: 'tensorflow-gpu', reason: expect.stringMatching(/no GPU/) },
        message: expect.stringMatching(/tensorflow-gpu skipped/),
      },
    ]);
  });

  it('takes tfjs-node when only the CPU package is installed', async () => {
    const { env, imports } = fakeEnvironment({ cpuPackage: true });
    const { log, lines } = recordingLog();
    const info = await selectBackend('auto', env, log);
    expect(info.name).toBe('tensorflow');
    expect(info.skipped.map((s) => s.backend)).toEqual(['tensorflow-gpu']);
    // Only the first line of a multi-line import error is kept.
    expect(info.skipped[0]?.reason).toBe(
      "@tensorflow/tfjs-node-gpu did not load: Cannot find package '@tensorflow/tfjs-node-gpu'",
    );
    expect(imports).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    // A missing optional package is normal: info, not warn.
    expect(lines.every((l) => l.level === 'info')).toBe(true);
  });

  it('takes wasm when neither native package is installed', async () => {
    const { env } = fakeEnvironment({});
    const info = await selectBackend('auto', env);
    expect(info).toMatchObject({ name: 'wasm', active: 'wasm' });
    expect(info.skipped.map((s) => s.backend)).toEqual(['tensorflow-gpu', 'tensorflow']);
  });

  it('ends at cpu when wasm fails too', async () => {
    const { env } = fakeEnvironment({ wasmFails: true });
    const info = await selectBackend('auto', env);
    expect(info).toMatchObject({ name: 'cpu', active: 'cpu' });
    expect(info.skipped.map((s) => s.backend)).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm']);
  });

  it('rejects a native backend object without the GPU flags instead of guessing', async () => {
    const { env } = fakeEnvironment({ gpuPackage: { seesGpu: true } });
    const odd: BackendEnvironment = { ...env, backendInstance: () => ({ isUsingGpuDevice: 1 }) };
    await expect(selectBackend('tensorflow-gpu', odd)).rejects.toThrow(
      /does not report isGPUPackage\/isUsingGpuDevice/,
    );
  });
});

describe('selectBackend: explicit names', () => {
  it('tensorflow-gpu without a GPU is an error naming the reason', async () => {
    const { env } = fakeEnvironment({ gpuPackage: { seesGpu: false } });
    const attempt = selectBackend('tensorflow-gpu', env);
    await expect(attempt).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(attempt).rejects.toThrow(
      /^Backend 'tensorflow-gpu' could not be initialised: @tensorflow\/tfjs-node-gpu loaded but TensorFlow sees no GPU device/,
    );
  });

  it('tensorflow-gpu when the package is missing names the package', async () => {
    const { env } = fakeEnvironment({ cpuPackage: true });
    await expect(selectBackend('tensorflow-gpu', env)).rejects.toThrow(
      /tfjs-node-gpu did not load/,
    );
  });

  it('tensorflow-gpu is refused when tfjs-node already owns the tensorflow backend', async () => {
    const { env } = fakeEnvironment({ gpuPackage: { seesGpu: true }, cpuPackage: true });
    await selectBackend('tensorflow', env);
    await expect(selectBackend('tensorflow-gpu', env)).rejects.toThrow(/is @tensorflow\/tfjs-node/);
  });

  it('does not try other backends', async () => {
    const { env, imports } = fakeEnvironment({});
    await expect(selectBackend('tensorflow', env)).rejects.toThrow(
      /^Backend 'tensorflow' could not be initialised: @tensorflow\/tfjs-node did not load/,
    );
    expect(imports).toEqual(['@tensorflow/tfjs-node']);
  });

  it('wasm and cpu', async () => {
    const { env } = fakeEnvironment({});
    expect(await selectBackend('wasm', env)).toMatchObject({ name: 'wasm', active: 'wasm' });
    expect(await selectBackend('cpu', env)).toMatchObject({ name: 'cpu', active: 'cpu' });
  });

  it('an unknown name fails before any package is loaded, listing the valid names', async () => {
    const { env, imports } = fakeEnvironment({ gpuPackage: { seesGpu: true } });
    const attempt = selectBackend('tpu', env);
    await expect(attempt).rejects.toBeInstanceOf(UnknownBackendError);
    await expect(attempt).rejects.toThrow(
      "Unknown backend 'tpu'; expected one of: auto, tensorflow-gpu, tensorflow, wasm, cpu",
    );
    expect(imports).toEqual([]);
    expect(backendNames).toHaveLength(5);
  });
});

function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

// Machines with tfjs-node[-gpu] installed would (rightly) pick them; the fake ladder covers that.
const nativeInstalled =
  installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu');

describe.skipIf(nativeInstalled)('initBackend in this process (no native packages)', () => {
  it('auto skips both native packages and lands on wasm; a second call reuses it', async () => {
    const info = await initBackend('auto');
    expect(info.name).toBe('wasm');
    expect(info.active).toBe('wasm');
    expect(info.skipped.map((s) => s.backend)).toEqual(['tensorflow-gpu', 'tensorflow']);
    expect(await initBackend('auto')).toEqual(info);
  });

  it('switches on an explicit different name and rejects unknown ones', async () => {
    expect((await initBackend('cpu')).name).toBe('cpu');
    await expect(initBackend('gpu')).rejects.toThrow(/expected one of: auto, tensorflow-gpu/);
  });
});
