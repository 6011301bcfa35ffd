/**
 * The runner as a library: what the `siphon` CLI is built from, for embedding it or testing
 * pipelines files. Most users run the CLI (`siphon run -c pipelines.yaml`) or the container.
 */

export { formatDuration, parseDuration } from '@siphon/core';
export { balanceUnits, type WeightedUnit } from './cluster/balance.js';
export { type AssignmentPlan, type MemberInfo, planAssignment, unitAssigner } from './cluster/protocol.js';
export { checkGroupRun, type GroupOptions, runGroup } from './cluster/run-group.js';
export { listUnits, type Unit } from './cluster/units.js';
export { loadPipelinesFile, type PipelinesFile, parsePipelinesText } from './config/load.js';
export type {
  KafkaConfig,
  PipelineConfig,
  RegistryConfig,
  ScheduleConfig,
  SinkConfig,
  SourceConfig,
  StateConfig,
  TopicsConfig,
} from './config/schema.js';
export { SOURCE_PACKAGES } from './config/schema.js';
export {
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  type FileIssue,
  oneLineReason,
  PipelinesFileError,
  RunnerError,
  UsageError,
} from './errors.js';
export type { Io } from './io.js';
export { createLogger, type LoggerOptions } from './logging/logger.js';
export { type OpsServer, type OpsServerOptions, startOpsServer } from './ops/http-server.js';
export { RunnerMetrics } from './ops/metrics.js';
export { ProgressBoard } from './ops/progress.js';
export { Readiness, type ReadinessReport } from './ops/readiness.js';
export { nextRunAt, runOnSchedule } from './ops/schedule.js';
export { handleShutdown, type ShutdownHandle } from './ops/shutdown.js';
export { decrypt, encrypt, stateKeyFromEnv, TokenVault } from './ops/token-vault.js';
export { readTopics, summarizeTopics, type TopicSummary } from './ops/topic-reader.js';
export { buildSource, restApiConfigOf, sourceNameOf } from './pipeline/build-source.js';
export {
  PipelineRunner,
  type PipelineRunnerDeps,
  type RunOutcome,
  type RunScope,
} from './pipeline/pipeline-runner.js';
export { kafkaSinkOptions } from './pipeline/sink-options.js';
export { type Commands, createProgram, main } from './program.js';
export { sourcePlugins } from './sources/built-in.js';
export { SourceRegistry } from './sources/registry.js';
