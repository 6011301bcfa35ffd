import { Redaction } from '@siphon/core';
import type { LevelWithSilent } from 'pino';
import { loadPipelinesFile, type PipelinesFile } from './config/load.js';
import type { PipelineConfig } from './config/schema.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';
import { createLogger, type Logger } from './logging/logger.js';
import type { CommonOptions } from './program.js';

export interface CommandContext {
  file: PipelinesFile;
  /** The pipelines selected with --pipeline (all by default). */
  pipelines: PipelineConfig[];
  secrets: Redaction;
  logger: Logger;
}

/** Loads the pipelines file, selects pipelines and sets up redacting logs: what every command needs first. */
export async function loadContext(
  options: CommonOptions,
  io: Io,
  logDestination: { write(line: string): unknown } = io.stderr,
): Promise<CommandContext> {
  // The process's redaction (it already masks stdout and stderr) learns the file's secrets as they
  // are read, so even an error about the file cannot echo one.
  const secrets = io.redaction ?? new Redaction().addEnv(io.env);
  const file = await loadPipelinesFile(options.config, {
    env: io.env,
    onSecret: (value) => secrets.add(value),
  });
  secrets.addAll(file.secretValues);
  const logger = createLogger({
    level: options.logLevel as LevelWithSilent,
    secrets,
    destination: logDestination,
  });
  return { file, pipelines: selectPipelines(file, options.pipeline), secrets, logger };
}

function selectPipelines(file: PipelinesFile, names: string[] | undefined): PipelineConfig[] {
  if (!names || names.length === 0) return file.pipelines;
  const known = file.pipelines.map((p) => p.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `--pipeline: no pipeline named ${unknown.join(', ')} in ${file.file} (it has ${known.join(', ')})`,
    );
  }
  return file.pipelines.filter((p) => names.includes(p.name));
}
