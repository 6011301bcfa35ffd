// HTTP and auth

// Field paths in records (primary keys, cursors, parent fields, rules): one reading rule
export { compileFieldPath, readField } from '@siphon/paginators';
export { apiKeyAuth, bearerAuth, builtinAuthFactories, httpBasicAuth } from './auth/builtin.js';
export { authRegistry, createAuthProvider, isAuthProvider } from './auth/create-auth.js';
export { defineAuthPlugin, isAuthPlugin } from './auth/plugin.js';
// Config
export type { ConfigPath, PositionOf, SourcePosition } from './config/issues.js';
export type {
  NormalizedClient,
  NormalizedConfig,
  NormalizedEndpoint,
  NormalizedIncremental,
  NormalizedResource,
} from './config/normalized.js';
export { restApiConfigSchema } from './config/schema.js';
export {
  type ConfigFormat,
  detectFormat,
  type JsonSyntaxError,
  jsonSyntaxError,
  type ParsedConfigText,
  parseConfigText,
} from './config/text.js';
export type {
  AuthConfig,
  ClientConfig,
  EndpointConfig,
  FilterRule,
  IncrementalConfig,
  IncrementalParamConfig,
  MapRule,
  PaginatorSetting,
  ParamValue,
  ProcessingStep,
  ResolveParamConfig,
  ResourceConfig,
  ResourceDefaults,
  ResponseAction,
  RestApiConfig,
  RetryConfig,
  SecretString,
  WriteDispositionConfig,
} from './config/types.js';
export { type ValidateConfigOptions, validateConfig } from './config/validate.js';
export type * from './contracts.js';
// Timers for any duration, and durations written in config files
export { durationSchema, formatDuration, parseDuration } from './duration.js';
// Engine
export {
  DEFAULT_RESOURCE_CONCURRENCY,
  finalStateFrom,
  type RunPipelineOptions,
  runPipeline,
} from './engine/run-pipeline.js';
export { RestApiSource, type RestApiSourceOptions, rest_api_source, restApiSource } from './engine/source.js';
// Errors
export { ConfigError, type ConfigIssue } from './errors/config-error.js';
export { ExtractError } from './errors/extract-error.js';
export { HttpError, type HttpErrorDetails } from './errors/http-error.js';
export { type FailedResource, PipelineError } from './errors/pipeline-error.js';
export { type MissingSecret, SecretNotFoundError } from './errors/secret-error.js';
export { asError, ERROR_CODE, SiphonError, type SiphonErrorOptions } from './errors/siphon-error.js';
// Events
export {
  createEventBus,
  type EventBus,
  type EventBusOptions,
  type EventNameIn,
  type ExtractEvent,
  isEventIn,
  type SiphonEvent,
  type SiphonEventListener,
  type SiphonEventMap,
  type SiphonEventName,
} from './events.js';
export { type ApiCall, ApiClient, type ApiClientOptions, type ApiResult } from './http/api-client.js';
export type { HostLimits } from './http/host-limiter.js';
export { excerpt } from './http/redact.js';
export {
  DEFAULT_RETRY_STATUSES,
  parseRateLimitReset,
  parseRetryAfter,
  type RetryOptions,
} from './http/retry-policy.js';
export { createRetryingFetch, type RetryingFetchOptions } from './http/retrying-fetch.js';
export {
  type BufferedResponse,
  type FetchLike,
  HttpTransport,
  type TransportOptions,
  type TransportRequest,
} from './http/transport.js';
// Redaction: the one rule for what looks like a secret, for every output boundary
export { looksSecret, looksSecretEnvName, REDACTED, Redaction, redact } from './redaction.js';
// Retries: the one loop every retry in Siphon runs through
export { type BackoffPolicy, backoffDelay } from './retry/backoff.js';
export {
  isRetriable,
  type RetryClock,
  type RetryFailure,
  type RetryLoopOptions,
  type RetryPolicy,
  retry,
  retryAfterOf,
  systemClock,
} from './retry/retry.js';
// Secrets
export { asSecretRef, dlt } from './secrets/dlt.js';
export {
  chainSecrets,
  defaultSecrets,
  envSecrets,
  fileSecrets,
  type SecretsProvider,
  staticSecrets,
} from './secrets/providers.js';
export { collectSecretValues, resolveSecretRefs } from './secrets/resolve.js';
export { reveal, Secret, SecretRef } from './secrets/secret.js';
// Sinks and state
export { MemorySink } from './sinks/memory-sink.js';
export { sleep } from './sleep.js';
// Packaged sources: shared options, presets and overrides; the seed kept as its own text
export {
  defineRestApiSource,
  type RestApiSourceSpec,
  type SourcePlugin,
  type SourceResourceSpec,
} from './sources/define-source.js';
export {
  dispositionOf,
  type PackagedSourceOptions,
  type SecretInput,
  type SourceOptionsSpec,
  type SourcePreset,
  type SourceResourceOverride,
  sourceOptionSchemas,
  sourceOptionsParser,
} from './sources/options.js';
export { readSeedConfig } from './sources/seed-file.js';
export { FileStateStore } from './state/file-state-store.js';
export { MemoryStateStore } from './state/memory-state-store.js';
export { clampTimerDelay, type LongTimer, MAX_TIMER_DELAY_MS, setLongTimeout } from './timers.js';
export {
  DELETE_DETECTIONS,
  expectedOneOf,
  kindName,
  kindOf,
  SCHEMA_CONTRACT_MODES,
  WRITE_DISPOSITIONS,
  WRITE_STRATEGIES,
} from './vocabulary.js';
