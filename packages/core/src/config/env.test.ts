import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { loadConfig } from './env.ts';

describe('loadConfig', () => {
  it('has defaults that need nothing set', () => {
    const config = loadConfig({ INIT_CWD: '/repo' });
    expect(config).toEqual({
      databaseUrl: undefined,
      home: '/repo/.kdlens',
      workDir: '/repo',
      // data/ where kdlens runs, Debian's dataset packages, $KDLENS_HOME/data.
      dataRoots: ['/repo/data', '/usr/share/datasets', '/repo/.kdlens/data'],
      embeddedPgPort: 0,
      api: { host: '127.0.0.1', port: 4000, url: 'http://127.0.0.1:4000/graphql', limits: {} },
      web: { host: '127.0.0.1', port: 3000 },
      backend: 'auto',
      logLevel: 'info',
      showProgress: true,
      queue: {},
    });
  });

  it('reads the experiments workers are kept to, comma-separated', () => {
    const id = '0b9f3c2e-7c55-4f0e-9f0a-2d7d5f1b8a11';
    expect(
      loadConfig({ INIT_CWD: '/repo', KDLENS_WORKER_EXPERIMENTS: `${id}, resnet-kd` })
        .workerExperiments,
    ).toEqual([id, 'resnet-kd']);
    expect(() => loadConfig({ INIT_CWD: '/repo', KDLENS_WORKER_EXPERIMENTS: 'a,,b' })).toThrow(
      'bad environment: KDLENS_WORKER_EXPERIMENTS="a,,b": expected experiment ids or names, comma-separated',
    );
  });

  it('reads every variable', () => {
    const config = loadConfig({
      INIT_CWD: '/repo',
      DATABASE_URL: 'postgresql://u:p@db:5433/kd',
      KDLENS_HOME: 'data',
      KDLENS_PG_PORT: '6543',
      KDLENS_API_HOST: '0.0.0.0',
      KDLENS_API_PORT: '4001',
      KDLENS_WEB_PORT: '3001',
      KDLENS_WEB_HOST: '10.0.0.5',
      KDLENS_PUBLIC_URL: 'https://kdlens.example.org/',
      KDLENS_METRICS_TOKEN: 'metrics-token-0123456789',
      KDLENS_API_URL: 'http://api.internal:4001/graphql',
      KDLENS_BACKEND: 'wasm',
      LOG_LEVEL: 'debug',
      KDLENS_NO_PROGRESS: '1',
      KDLENS_ALLOW_ANONYMOUS_READ: 'no',
      KDLENS_API_MAX_DEPTH: '8',
      KDLENS_API_MAX_COST: '5000',
      KDLENS_API_TIMEOUT_MS: '2500',
    });
    expect(config.databaseUrl).toBe('postgresql://u:p@db:5433/kd');
    expect(config.home).toBe(path.resolve('/repo', 'data'));
    expect(config.embeddedPgPort).toBe(6543);
    expect(config.api).toEqual({
      host: '0.0.0.0',
      port: 4001,
      url: 'http://api.internal:4001/graphql',
      allowAnonymousRead: false,
      limits: { maxDepth: 8, maxCost: 5000, timeoutMs: 2500 },
      metricsToken: 'metrics-token-0123456789',
    });
    // The trailing slash goes, so links are built as `${publicUrl}/path`.
    expect(config.web).toEqual({
      host: '10.0.0.5',
      port: 3001,
      publicUrl: 'https://kdlens.example.org',
    });
    expect(config.backend).toBe('wasm');
    expect(config.logLevel).toBe('debug');
    expect(config.showProgress).toBe(false);
  });

  it('refuses a public URL that is not http(s) and a short metrics token', () => {
    expect(() => loadConfig({ KDLENS_PUBLIC_URL: 'ftp://kdlens.example.org' })).toThrow(
      /KDLENS_PUBLIC_URL="ftp:\/\/kdlens.example.org": expected the http\(s\) URL/,
    );
    expect(() => loadConfig({ KDLENS_METRICS_TOKEN: 'short' })).toThrow(
      /KDLENS_METRICS_TOKEN="short": expected at least 16 characters/,
    );
  });

  it('reads the caller and connection limits of the API', () => {
    const config = loadConfig({
      KDLENS_API_MAX_ROOT_FIELDS: '5',
      KDLENS_API_MAX_CONCURRENT: '2',
      KDLENS_API_QUEUE_MS: '0',
      KDLENS_API_MAX_RUNNING: '6',
      KDLENS_API_MAX_CONNECTIONS: '60',
      KDLENS_API_HEADERS_TIMEOUT_MS: '1000',
      KDLENS_API_KEEPALIVE_TIMEOUT_MS: '500',
    });
    expect(config.api.limits).toEqual({
      maxRootFields: 5,
      maxConcurrent: 2,
      queueMs: 0,
      maxRunning: 6,
      maxConnections: 60,
      headersTimeoutMs: 1000,
      keepAliveTimeoutMs: 500,
    });
    expect(() => loadConfig({ KDLENS_API_MAX_CONCURRENT: '0' })).toThrow(
      /KDLENS_API_MAX_CONCURRENT="0"/,
    );
    expect(() => loadConfig({ KDLENS_API_MAX_RUNNING: '0' })).toThrow(/KDLENS_API_MAX_RUNNING="0"/);
    expect(() => loadConfig({ KDLENS_API_HEADERS_TIMEOUT_MS: '5' })).toThrow(
      /KDLENS_API_HEADERS_TIMEOUT_MS="5"/,
    );
  });

  it('treats an empty variable as unset, and CI as no progress bars', () => {
    const config = loadConfig({
      INIT_CWD: '/r',
      DATABASE_URL: '',
      KDLENS_API_PORT: '',
      CI: 'true',
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.api.port).toBe(4000);
    expect(config.showProgress).toBe(false);
  });

  it('leaves anonymous read unset unless the flag is given, so each command picks its default', () => {
    expect(loadConfig({ KDLENS_ALLOW_ANONYMOUS_READ: '' }).api.allowAnonymousRead).toBeUndefined();
    expect(loadConfig({ KDLENS_ALLOW_ANONYMOUS_READ: '1' }).api.allowAnonymousRead).toBe(true);
    expect(() => loadConfig({ KDLENS_ALLOW_ANONYMOUS_READ: 'maybe' })).toThrow(
      /KDLENS_ALLOW_ANONYMOUS_READ="maybe"/,
    );
    expect(() => loadConfig({ KDLENS_API_TIMEOUT_MS: '10s' })).toThrow(
      /KDLENS_API_TIMEOUT_MS="10s"/,
    );
  });

  it('names every bad variable in one message', () => {
    const load = () =>
      loadConfig({ DATABASE_URL: 'mysql://x', KDLENS_WEB_PORT: '70000', LOG_LEVEL: 'loud' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      /DATABASE_URL="mysql:\/\/x": expected a URL like postgres:\/\/.*; KDLENS_WEB_PORT="70000": expected a port from 1 to 65535; LOG_LEVEL="loud"/,
    );
  });

  it('reads KDLENS_DATA_ROOTS as colon-separated folders, relative ones from where kdlens runs', () => {
    const config = loadConfig({
      INIT_CWD: '/repo',
      KDLENS_DATA_ROOTS: '/srv/data/:shared::/srv/data',
    });
    // Normalised (no trailing slash), deduplicated, the empty entry skipped; the defaults are gone.
    expect(config.dataRoots).toEqual(['/srv/data', '/repo/shared']);
    expect(() => loadConfig({ KDLENS_DATA_ROOTS: ':' })).toThrow(
      /KDLENS_DATA_ROOTS=":": expected folders, colon-separated/,
    );
  });
});
