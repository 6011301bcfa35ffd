import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram, resolveCliConfig } from '../src/cli/args.js';
import { runCli } from '../src/cli/main.js';
import { accessToken, billingGet } from './helpers.js';

const packageDir = path.resolve(import.meta.dirname, '..');

async function parse(argv: string[]) {
  const program = buildProgram().exitOverride();
  program.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  program.parse(argv, { from: 'user' });
  return resolveCliConfig(program);
}

describe('CLI options', () => {
  it('defaults to port 8787 with analytics and accounts on the next two ports', async () => {
    const { options, logLevel } = await parse([]);
    expect(options.ports).toEqual({ billing: 8787, analytics: 8788, accounts: 8789 });
    expect(options.host).toBe('127.0.0.1');
    expect(logLevel).toBe('info');
  });

  it('maps every flag onto the library options', async () => {
    const { options, logLevel } = await parse([
      '--port',
      '9000',
      '--accounts-port',
      '9100',
      '--seed',
      '5',
      '--size',
      '10',
      '--size-of',
      'billing.invoices=1000000',
      '--size-of',
      'analytics.fees=0',
      '--latency-ms',
      '20',
      '--rate-limit',
      '600/60',
      '--token-ttl',
      '5',
      '--token-limit',
      '3/30',
      '--rotate-refresh-token',
      '--organization-id',
      '42',
      '--fault',
      '{"kind":"status","status":503,"probability":0.1}',
      '--fault',
      '{"kind":"reset","pathPattern":"^/inv","count":1}',
      '--log-level',
      'debug',
    ]);
    expect(options).toMatchObject({
      ports: { billing: 9000, analytics: 9001, accounts: 9100 },
      seed: 5,
      size: 10,
      sizes: { billing: { invoices: 1_000_000 }, analytics: { fees: 0 } },
      latencyMs: 20,
      rateLimit: { requests: 600, windowSeconds: 60 },
      tokenTtlSeconds: 5,
      tokenLimit: { count: 3, windowSeconds: 30 },
      rotateRefreshToken: true,
      organizationId: '42',
    });
    expect(options.faults).toEqual([
      { kind: 'status', status: 503, probability: 0.1 },
      { kind: 'reset', path: /^\/inv/, count: 1 },
    ]);
    expect(logLevel).toBe('debug');
  });

  it('port 0 makes all three ports random', async () => {
    expect((await parse(['--port', '0'])).options.ports).toEqual({ billing: 0, analytics: 0, accounts: 0 });
  });

  it.each([
    [['--rate-limit', '600'], /--rate-limit must look like 600\/60/],
    [['--size-of', 'invoices=3'], /--size-of must look like billing.invoices=1000000/],
    [['--fault', '{nope'], /--fault must be a JSON object/],
    [['--fault', '{"kind":"status"}'], /--fault\.status/],
    [['--port', 'http'], /--port must be an integer/],
    [['--log-level', 'loud'], /Allowed choices are fatal, error/],
  ])('refuses %j clearly', async (argv, message) => {
    await expect(parse(argv)).rejects.toThrow(message);
  });

  it('reads a YAML config file; flags win over it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sandbox-cli-'));
    const file = path.join(dir, 'sandbox.yaml');
    await writeFile(
      file,
      [
        'seed: 77',
        'size: 12',
        'ports: { billing: 7000, analytics: 7005 }',
        'sizes:',
        '  billing: { invoices: 500 }',
        'faults:',
        '  - { kind: empty_page, path: /invoices, count: 1 }',
        'logLevel: warn',
      ].join('\n'),
    );
    const { options, logLevel } = await parse(['--config', file, '--size', '3']);
    expect(options).toMatchObject({ seed: 77, size: 3, sizes: { billing: { invoices: 500 } } });
    expect(options.ports).toEqual({ billing: 7000, analytics: 7005, accounts: 7002 });
    expect(options.faults).toEqual([{ kind: 'empty_page', path: '/invoices', count: 1 }]);
    expect(logLevel).toBe('warn');
  });

  it('names the file and key of a bad config', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sandbox-cli-'));
    const file = path.join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ size: -3, colour: 'blue' }));
    await expect(parse(['--config', file])).rejects.toThrow(
      /invalid config file .*bad\.json:\n {2}size: .*\n {2}\(root\): .*colour/s,
    );
    await expect(parse(['--config', path.join(dir, 'missing.yaml')])).rejects.toThrow(
      /cannot read config file .*ENOENT/,
    );
  });
});

describe('runCli', () => {
  it('starts the sandbox and prints the URLs and credentials (a leading -- from pnpm is ignored)', async () => {
    let printed = '';
    const { sandbox } = await runCli(['--', '--port', '0', '--size', '4', '--log-level', 'silent'], {
      stdout: (text) => {
        printed += text;
      },
    });
    try {
      expect(printed).toContain(`billing    ${sandbox.billingUrl}`);
      expect(printed).toContain(`analytics  ${sandbox.analyticsUrl}`);
      expect(printed).toContain(`token URL  ${sandbox.tokenUrl}`);
      expect(printed).toContain(`refresh_token  ${sandbox.credentials.refreshToken}`);
      expect(printed).toContain(`api_key        ${sandbox.credentials.apiKey}`);
      const token = await accessToken(sandbox);
      expect((await billingGet(sandbox, '/invoices', token)).status).toBe(200);
    } finally {
      await sandbox.close();
    }
  });

  it('fails clearly when a port is taken', async () => {
    const { sandbox } = await runCli(['--port', '0', '--size', '0', '--log-level', 'silent'], {
      stdout: () => {},
    });
    try {
      const port = new URL(sandbox.billingUrl).port;
      await expect(
        runCli(['--port', port, '--analytics-port', '0', '--accounts-port', '0', '--log-level', 'silent'], {
          stdout: () => {},
        }),
      ).rejects.toThrow(`the billing server could not listen on 127.0.0.1:${port}: EADDRINUSE`);
    } finally {
      await sandbox.close();
    }
  });
});

describe('the built siphon-sandbox binary', () => {
  const outDir = path.join(packageDir, '.cache/cli-test');
  const cli = path.join(outDir, 'cli.js');
  let child: ChildProcess | undefined;

  // The sources as `tsc` would emit them, file by file: `pnpm typecheck` type-checks them, so
  // a whole-program compile here (about 20 s on a loaded machine) would add nothing.
  beforeAll(async () => {
    const srcDir = path.join(packageDir, 'src');
    for (const file of readdirSync(srcDir, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts')) continue;
      const { outputText } = ts.transpileModule(await readFile(path.join(srcDir, file), 'utf8'), {
        fileName: file,
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 },
      });
      const out = path.join(outDir, file.replace(/\.ts$/, '.js'));
      await mkdir(path.dirname(out), { recursive: true });
      await writeFile(out, outputText);
    }
    await chmod(cli, 0o755);
  });
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'starts with a shebang, serves, and exits 0 on %s',
    async (signal) => {
      child = spawn(cli, ['--port', '0', '--size', '2', '--log-level', 'warn'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      for await (const chunk of child.stdout!) {
        out += chunk;
        if (out.includes('control:')) break;
      }
      const billingUrl = /billing\s+(\S+)/.exec(out)?.[1];
      expect(billingUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${billingUrl}/_sandbox/health`);
      expect(health.status).toBe(200);
      child.kill(signal);
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    },
  );

  it('exits 1 with a message on a bad flag', async () => {
    const run = promisify(execFile)(process.execPath, [cli, '--rate-limit', 'lots']);
    await expect(run).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/--rate-limit must look like 600\/60/),
    });
  });
});
