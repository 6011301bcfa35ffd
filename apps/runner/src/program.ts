import { createRequire } from 'node:module';
import { parseDuration, Redaction } from '@siphon/core';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT_USAGE, oneLineReason, PipelinesFileError, RunnerError } from './errors.js';
import type { Io } from './io.js';

export interface CommonOptions {
  config: string;
  pipeline?: string[];
  logLevel: string;
}

export interface RunOptions extends CommonOptions {
  once: boolean;
  resources?: string[];
  httpPort: number;
  httpHost: string;
  readyzDetails: boolean;
  shutdownTimeout: number;
  /** How long to wait for Kafka and the registry to answer before the first run (0 = fail at once). */
  waitForInfra: number;
  progress: boolean;
  /** Scale-out: the consumer group the replicas share. */
  group?: string;
  groupTopic?: string;
  sessionTimeout: number;
  rebalanceDelay: number;
}

export interface CheckOptions extends CommonOptions {
  timeout: number;
}

export interface SchemaOptions extends CommonOptions {
  json: boolean;
  resources?: string[];
  /** Infer undeclared schemas from each resource's first page with records. */
  sample: boolean;
  timeout: number;
}

export interface StateOptions extends CommonOptions {
  reset?: string[];
  json: boolean;
}

export interface TopicsOptions extends CommonOptions {
  apply: boolean;
  json: boolean;
}

/** The work behind each command; resolves with the exit code. */
export interface Commands {
  run(options: RunOptions, io: Io): Promise<number>;
  check(options: CheckOptions, io: Io): Promise<number>;
  schema(options: SchemaOptions, io: Io): Promise<number>;
  state(options: StateOptions, io: Io): Promise<number>;
  topics(options: TopicsOptions, io: Io): Promise<number>;
}

const list = (value: string, previous: string[] | undefined) => [
  ...(previous ?? []),
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new InvalidArgumentError('expected a port number 0-65535');
  return n;
}

function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError('expected a duration such as 30s, 2m or 1500 (ms)');
  return ms;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function common(command: Command, env: Io['env']): Command {
  return command
    .requiredOption('-c, --config <file>', 'pipelines file (YAML or JSON)')
    .option('-p, --pipeline <names>', 'only these pipelines (comma-separated, repeatable)', list)
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(LOG_LEVELS)
        .default(env.SIPHON_LOG_LEVEL ?? 'info'),
    );
}

/** `-r, --resources`, as every command that can act on some resources takes it. */
const resourcesOption = () =>
  new Option('-r, --resources <names>', 'only these resources (comma-separated, repeatable)').argParser(list);

/** `--json`, as every command with a report takes it. */
const jsonOption = () => new Option('--json', 'machine-readable output').default(false);

/** The runner's version, from its package.json (next to `dist/` and `src/` alike). */
export const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/**
 * The `siphon` command line. Exit codes: 0 success, 1 a run or check failed, 2 bad config or usage.
 */
export function createProgram(commands: Commands, io: Io): Command {
  const program = new Command('siphon')
    .description('Pulls records out of REST APIs and publishes them to Kafka as Avro, per pipelines file')
    .version(`siphon ${VERSION}`, '-V, --version', 'print the version and exit')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();

  const action =
    <T>(fn: (options: T, io: Io) => Promise<number>) =>
    async (options: T) => {
      program.setOptionValue('exitCode', await fn(options, io));
    };

  common(program.command('run'), io.env)
    .description('run the pipelines: once (--once), or on their schedules until stopped')
    .option('--once', 'run every selected pipeline once, then exit', false)
    .addOption(resourcesOption())
    .option(
      '--http-port <port>',
      'port of /healthz, /readyz and /metrics (0 = off)',
      port,
      Number(io.env.SIPHON_HTTP_PORT ?? 9464),
    )
    .option('--http-host <host>', 'address the HTTP server binds', io.env.SIPHON_HTTP_HOST ?? '0.0.0.0')
    .option(
      '--readyz-details',
      "show each check's error text in /readyz to every caller (default: loopback callers only)",
      ['1', 'true'].includes(io.env.SIPHON_READYZ_DETAILS ?? ''),
    )
    .option(
      '--shutdown-timeout <duration>',
      'time allowed for a graceful stop on SIGTERM/SIGINT',
      duration,
      30_000,
    )
    .option(
      '--wait-for-infra <duration>',
      'wait up to this long for Kafka and the registry to answer before starting (containers started with them)',
      duration,
      io.env.SIPHON_WAIT_FOR_INFRA ? (parseDuration(io.env.SIPHON_WAIT_FOR_INFRA) ?? 0) : 0,
    )
    .option('--no-progress', 'no live progress table, even on a terminal')
    .option(
      '--group <id>',
      'scale out: share the units (pipeline, resource) with every replica started with this Kafka consumer group id',
      io.env.SIPHON_GROUP || undefined,
    )
    .option('--group-topic <topic>', 'with --group: the units topic (default {prefix}._units)')
    .option(
      '--session-timeout <duration>',
      'with --group: a replica silent this long loses its units to the others (6s-30m)',
      duration,
      30_000,
    )
    .option(
      '--rebalance-delay <duration>',
      'with --group: wait this long after each assignment before starting work, so replicas starting together share one',
      duration,
      3_000,
    )
    .action(action(commands.run));

  common(program.command('check'), io.env)
    .description('validate the config and check every API, Kafka and the registry: one verdict per line')
    .option('--timeout <duration>', 'time allowed for each check', duration, 15_000)
    .action(action(commands.check));

  common(program.command('schema'), io.env)
    .description('print the topics and the Avro key/value schemas a config would produce, writing nothing')
    .addOption(resourcesOption())
    .addOption(jsonOption())
    .option(
      '--sample',
      'fetch the first page with records of each resource without a declared schema, and infer its schemas from it as a run would',
      false,
    )
    .option('--timeout <duration>', 'with --sample: time allowed for each first page', duration, 30_000)
    .action(action(commands.schema));

  common(program.command('state'), io.env)
    .description('show stored state, or reset it for some resources (the next run starts over)')
    .option('--reset <resources>', 'delete the state of these resources (comma-separated; "*" for all)', list)
    .addOption(jsonOption())
    .action(action(commands.state));

  common(program.command('topics'), io.env)
    .description('plan the topics with their configs; with --apply, create the missing ones')
    .option('--apply', 'create missing topics', false)
    .addOption(jsonOption())
    .action(action(commands.topics));

  return program;
}

/** Parses `argv`, runs the command and returns the exit code; never throws. */
export async function main(argv: readonly string[], commands: Commands, io: Io): Promise<number> {
  const program = createProgram(commands, io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return (program.getOptionValue('exitCode') as number | undefined) ?? 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    // The last line a user sees: masked here too, whatever stream `io` holds.
    const mask = (text: string) => (io.redaction ?? new Redaction().addEnv(io.env)).text(text);
    if (error instanceof PipelinesFileError) {
      io.stderr.write(mask(`siphon: invalid pipelines file\n${error.message}\n`));
      return error.exitCode;
    }
    io.stderr.write(mask(`siphon: ${oneLineReason(error)}\n`));
    return error instanceof RunnerError ? error.exitCode : 1;
  }
}
