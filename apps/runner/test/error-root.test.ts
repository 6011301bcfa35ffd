/**
 * One error root: every error class a Siphon package exports is a `SiphonError` (so
 * `SiphonError.isInstance()` is true for it) whose `code` follows the one scheme, `ERROR_CODE`; and
 * no package source throws a plain `Error` (a plain one is allowed only where a comment within the
 * two lines above says "plain Error on purpose" and why).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as oauth2 from '@siphon/auth-oauth2';
import * as core from '@siphon/core';
import { ERROR_CODE, SiphonError } from '@siphon/core';
import * as paginators from '@siphon/paginators';
import * as runner from '@siphon/runner';
import * as sink from '@siphon/sink-kafka';
import * as analytics from '@siphon/source-analytics';
import * as billing from '@siphon/source-billing';
import { describe, expect, it } from 'vitest';
import * as runnerErrors from '../src/errors.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

/** One instance of each exported error class, built as the package builds it. */
const samples: Record<string, () => Error> = {
  CheckpointError: () => new paginators.CheckpointError('cursor', 42, 'a cursor string'),
  DataSelectorError: () => new paginators.DataSelectorError('no list at data', ['items']),
  JsonPathError: () => new paginators.JsonPathError('$..[', 'unexpected end'),
  PaginationLoopError: () => new paginators.PaginationLoopError('same cursor twice', 'abc', 'invoices'),
  PaginatorConfigError: () => new paginators.PaginatorConfigError([{ path: ['type'], message: 'unknown' }]),
  PaginatorError: () => new paginators.PaginatorError('PAGINATOR_RESPONSE', 'bad page'),
  PaginatorResponseError: () => new paginators.PaginatorResponseError('no next link', 'http://api/x'),
  ConfigError: () => new core.ConfigError([{ path: 'resources', message: 'required' }]),
  ExtractError: () => new core.ExtractError('invoices', 'cursor missing', { code: 'CURSOR_MISSING' }),
  HttpError: () =>
    new core.HttpError('HTTP 500', { code: 'HTTP_STATUS', method: 'GET', url: 'http://api/x', attempts: 3 }),
  PipelineError: () => new core.PipelineError([{ resource: 'invoices', error: new Error('x') }], []),
  SecretNotFoundError: () => new core.SecretNotFoundError([{ name: 'API_KEY', lookedIn: ['environment'] }]),
  SiphonError: () => new core.SiphonError('x', { code: 'X' }),
  OAuth2Error: () =>
    new oauth2.OAuth2Error('token rejected', {
      code: 'OAUTH2_TOKEN_REJECTED',
      tokenUrl: 'http://auth/token',
      grantType: 'client_credentials',
    }),
  MissingKeyError: () => new sink.MissingKeyError('id'),
  KafkaSinkError: () => new sink.KafkaSinkError('TOPIC_ADMIN', 'x'),
  TopicSettlingError: () => new sink.TopicSettlingError('invoices: 0 of 3 partitions have a leader'),
  RunnerError: () => new runnerErrors.RunnerError('x'),
  UsageError: () => new runnerErrors.UsageError('x'),
  PipelinesFileError: () =>
    new runnerErrors.PipelinesFileError('pipelines.yaml', [{ path: 'pipelines', message: 'required' }]),
};

const packages = { paginators, core, oauth2, sink, analytics, billing, runner, runnerErrors };

function exportedErrorClasses(): { where: string; name: string; ctor: new (...args: never[]) => Error }[] {
  return Object.entries(packages).flatMap(([where, mod]) =>
    Object.entries(mod as Record<string, unknown>)
      .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error)
      .map(([name, value]) => ({ where, name, ctor: value as new (...args: never[]) => Error })),
  );
}

describe('one error root', () => {
  it('every exported error class is a SiphonError with a code in the one scheme', () => {
    const classes = exportedErrorClasses();
    expect(classes.map((c) => c.name)).toContain('PaginatorError');
    for (const { where, name, ctor } of classes) {
      expect(ctor.prototype instanceof SiphonError || ctor === SiphonError, `${where}.${name}`).toBe(true);
      const build = samples[name];
      expect(build, `${where}.${name}: add a sample of it to this test`).toBeDefined();
      const error = (build as () => Error)();
      expect(error).toBeInstanceOf(ctor);
      expect(SiphonError.isInstance(error), `${name} isInstance`).toBe(true);
      expect((error as SiphonError).code, `${name}.code`).toMatch(ERROR_CODE);
      expect(typeof (error as SiphonError).retriable, `${name}.retriable`).toBe('boolean');
    }
  });

  it('every error code written in package source follows the scheme', () => {
    const codes = new Map<string, string>();
    for (const file of packageSources()) {
      const text = readFileSync(file, 'utf8');
      const found = [
        // new SiphonError(message, { code: 'X' }) and the runner's subclasses
        ...[...text.matchAll(/new (?:SiphonError|RunnerError|UsageError)\([\s\S]{0,400}?\bcode: '([^']*)'/g)],
        // new KafkaSinkError('X', ...), super('X', ...) in PaginatorError subclasses
        ...[...text.matchAll(/(?:new KafkaSinkError|super)\(\s*'([^']*)'/g)],
        // code unions such as KafkaSinkErrorCode, OAuth2ErrorCode and HttpErrorDetails['code']
        ...(/errors?[/.]/.test(file) ? [...text.matchAll(/^\s*\|\s*'([^']*)'/gm)] : []),
        // codes given to the helpers that build errors: probeError(message, 'X'), code defaults
        ...[
          ...text.matchAll(
            /readonly code = '([^']*)'|options\.code \?\? '([^']*)'|probeError\([\s\S]{0,200}?, '([^']*)'\)/g,
          ),
        ],
      ];
      for (const match of found) {
        const code = match.slice(1).find((group) => group !== undefined) as string;
        codes.set(code, path.relative(repoRoot, file));
      }
    }
    expect(codes.size).toBeGreaterThan(40);
    const bad = [...codes].filter(([code]) => !ERROR_CODE.test(code));
    expect(bad, 'codes not in upper snake case').toEqual([]);
  });

  it('no package source throws a plain Error', () => {
    const offenders: string[] = [];
    for (const file of packageSources()) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        const plain =
          /\bnew (?:Error|TypeError|RangeError|AggregateError)\(|\bclass \w+ extends (?:Error|AggregateError)\b/;
        if (!plain.test(line)) return;
        const reason = lines.slice(Math.max(0, i - 2), i).join('\n');
        if (/plain Error on purpose/.test(reason)) return;
        offenders.push(`${path.relative(repoRoot, file)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('the scan above catches a plain Error', () => {
    const plain =
      /\bnew (?:Error|TypeError|RangeError|AggregateError)\(|\bclass \w+ extends (?:Error|AggregateError)\b/;
    expect(plain.test("throw new Error('x')")).toBe(true);
    expect(plain.test('class Oops extends Error {}')).toBe(true);
    expect(plain.test("throw new SiphonError('x', { code: 'X' })")).toBe(false);
  });
});

/**
 * The TypeScript sources of every package, except: the root class itself (`@siphon/errors`), the
 * sandbox (an emulator of third-party APIs that by design imports nothing of Siphon), and the
 * private testkit (test support, whose errors are test failures).
 */
function packageSources(): string[] {
  const skip = new Set(['packages/errors', 'apps/sandbox', 'packages/testkit']);
  const files: string[] = [];
  for (const group of ['packages', 'apps']) {
    for (const entry of readdirSync(path.join(repoRoot, group))) {
      if (skip.has(`${group}/${entry}`)) continue;
      const src = path.join(repoRoot, group, entry, 'src');
      try {
        for (const f of readdirSync(src, { recursive: true, encoding: 'utf8' }))
          if (f.endsWith('.ts')) files.push(path.join(src, f));
      } catch {
        // a package without sources
      }
    }
  }
  expect(files.length).toBeGreaterThan(100);
  return files;
}
