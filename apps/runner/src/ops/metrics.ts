import type { EventBus, SiphonEvent } from '@siphon/core';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The runner's Prometheus metrics, on their own registry (never prom-client's global one, so two
 * runners in one process or test do not collide). Names are prefixed `siphon_`.
 */
export class RunnerMetrics {
  readonly registry = new Registry();
  readonly records: Counter<'pipeline' | 'resource'>;
  readonly pages: Counter<'pipeline' | 'resource'>;
  readonly httpResponses: Counter<'pipeline' | 'resource' | 'status'>;
  readonly httpRequestDuration: Histogram<'pipeline' | 'resource'>;
  readonly httpBytes: Counter<'pipeline' | 'resource'>;
  readonly retries: Counter<'pipeline' | 'resource' | 'reason'>;
  readonly rateLimitWaits: Counter<'pipeline' | 'origin'>;
  readonly rateLimitWaitSeconds: Counter<'pipeline' | 'origin'>;
  readonly messagesProduced: Counter<'pipeline' | 'resource' | 'topic'>;
  readonly bytesProduced: Counter<'pipeline' | 'resource' | 'topic'>;
  readonly produceLatency: Histogram<'pipeline' | 'resource'>;
  readonly runDuration: Histogram<'pipeline' | 'outcome'>;
  readonly runs: Counter<'pipeline' | 'outcome'>;
  readonly resourceFailures: Counter<'pipeline' | 'resource'>;
  readonly lastSuccess: Gauge<'pipeline' | 'resource'>;
  readonly lastRunFailed: Gauge<'pipeline'>;
  readonly running: Gauge<'pipeline'>;
  readonly ownedUnits: Gauge<'pipeline' | 'resource'>;
  readonly rebalances: Counter<'group'>;
  readonly fencedUnits: Counter<'pipeline' | 'resource'>;
  readonly oauth2TokenRequests: Counter<'pipeline' | 'grant_type' | 'reason'>;
  readonly oauth2TokenFailures: Counter<'pipeline' | 'grant_type'>;
  readonly oauth2RefreshTokenRotations: Counter<'pipeline'>;

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.records = new Counter({
      name: 'siphon_records_total',
      help: 'Records read from the API (after data_selector and processing steps)',
      labelNames: ['pipeline', 'resource'],
      registers,
    });
    this.pages = new Counter({
      name: 'siphon_pages_total',
      help: 'Pages read from the API',
      labelNames: ['pipeline', 'resource'],
      registers,
    });
    this.httpResponses = new Counter({
      name: 'siphon_http_responses_total',
      help: 'HTTP responses from APIs and token endpoints, by status code',
      labelNames: ['pipeline', 'resource', 'status'],
      registers,
    });
    this.httpRequestDuration = new Histogram({
      name: 'siphon_http_request_duration_seconds',
      help: 'Time from sending an API request to its full response',
      labelNames: ['pipeline', 'resource'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.httpBytes = new Counter({
      name: 'siphon_http_response_bytes_total',
      help: 'Bytes of API response bodies',
      labelNames: ['pipeline', 'resource'],
      registers,
    });
    this.retries = new Counter({
      name: 'siphon_retries_total',
      help: 'API requests retried, by reason',
      labelNames: ['pipeline', 'resource', 'reason'],
      registers,
    });
    this.rateLimitWaits = new Counter({
      name: 'siphon_rate_limit_waits_total',
      help: 'Times a request waited for a rate limit (origin: budget = our own limiter, server = 429/Retry-After)',
      labelNames: ['pipeline', 'origin'],
      registers,
    });
    this.rateLimitWaitSeconds = new Counter({
      name: 'siphon_rate_limit_wait_seconds_total',
      help: 'Seconds spent waiting for rate limits',
      labelNames: ['pipeline', 'origin'],
      registers,
    });
    this.messagesProduced = new Counter({
      name: 'siphon_messages_produced_total',
      help: 'Kafka messages committed (records and tombstones)',
      labelNames: ['pipeline', 'resource', 'topic'],
      registers,
    });
    this.bytesProduced = new Counter({
      name: 'siphon_bytes_produced_total',
      help: 'Bytes of Kafka message keys and values committed',
      labelNames: ['pipeline', 'resource', 'topic'],
      registers,
    });
    this.produceLatency = new Histogram({
      name: 'siphon_produce_latency_seconds',
      help: 'Time to produce and commit one batch to Kafka',
      labelNames: ['pipeline', 'resource'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.runDuration = new Histogram({
      name: 'siphon_run_duration_seconds',
      help: 'Duration of pipeline runs',
      labelNames: ['pipeline', 'outcome'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    });
    this.runs = new Counter({
      name: 'siphon_runs_total',
      help: 'Pipeline runs by outcome (success, failure, aborted)',
      labelNames: ['pipeline', 'outcome'],
      registers,
    });
    this.resourceFailures = new Counter({
      name: 'siphon_resource_failures_total',
      help: 'Resource runs that failed',
      labelNames: ['pipeline', 'resource'],
      registers,
    });
    this.lastSuccess = new Gauge({
      name: 'siphon_last_success_timestamp_seconds',
      help: 'Unix time of the last complete, committed run of each resource',
      labelNames: ['pipeline', 'resource'],
      registers,
    });
    this.lastRunFailed = new Gauge({
      name: 'siphon_last_run_failed',
      help: '1 when the last run of the pipeline failed, else 0',
      labelNames: ['pipeline'],
      registers,
    });
    this.running = new Gauge({
      name: 'siphon_pipeline_running',
      help: 'Runs of the pipeline in progress (with --group, one per unit being run)',
      labelNames: ['pipeline'],
      registers,
    });
    this.ownedUnits = new Gauge({
      name: 'siphon_group_owned_units',
      help: '1 for each unit (pipeline, resource) this replica owns in its group (--group)',
      labelNames: ['pipeline', 'resource'],
      registers,
    });
    this.rebalances = new Counter({
      name: 'siphon_group_rebalances_total',
      help: 'Assignments this replica received from its group (one per rebalance it took part in)',
      labelNames: ['group'],
      registers,
    });
    this.fencedUnits = new Counter({
      name: 'siphon_group_fenced_units_total',
      help: 'Units stopped because a newer owner fenced their transactional producer',
      labelNames: ['pipeline', 'resource'],
      registers,
    });
    this.oauth2TokenRequests = new Counter({
      name: 'siphon_oauth2_token_requests_total',
      help: 'OAuth2 token requests, by reason: initial (first token), expiring (refresh ahead of expiry), invalidated (after an HTTP 401)',
      labelNames: ['pipeline', 'grant_type', 'reason'],
      registers,
    });
    this.oauth2TokenFailures = new Counter({
      name: 'siphon_oauth2_token_failures_total',
      help: 'OAuth2 token requests that failed, or rotated refresh tokens that could not be persisted',
      labelNames: ['pipeline', 'grant_type'],
      registers,
    });
    this.oauth2RefreshTokenRotations = new Counter({
      name: 'siphon_oauth2_refresh_token_rotations_total',
      help: 'New refresh tokens the OAuth2 server sent with an access token (the old one no longer works)',
      labelNames: ['pipeline'],
      registers,
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'siphon_' });
  }

  /**
   * The runner's metrics subscriber: folds every event of one pipeline's bus into the metrics.
   * `topicOf` names a resource's topic (for `siphon_messages_produced_total`). Returns the
   * unsubscribe function.
   */
  subscribe(bus: EventBus, pipeline: string, topicOf: (resource: string) => string): () => void {
    return bus.onAny((event) => this.observe(pipeline, event, topicOf));
  }

  /** Folds one event into the metrics. */
  observe(pipeline: string, event: SiphonEvent, topicOf?: (resource: string) => string): void {
    const resource = 'resource' in event && event.resource ? event.resource : '';
    switch (event.type) {
      case 'engine.page_fetched':
        this.pages.inc({ pipeline, resource });
        this.records.inc({ pipeline, resource }, event.records);
        break;
      case 'http.response':
        this.httpResponses.inc({ pipeline, resource, status: String(event.status) });
        this.httpRequestDuration.observe({ pipeline, resource }, event.durationMs / 1000);
        this.httpBytes.inc({ pipeline, resource }, event.bytes);
        break;
      case 'http.retry':
        this.retries.inc({ pipeline, resource, reason: retryReason(event.reason) });
        break;
      case 'http.rate_limited':
        this.rateLimitWaits.inc({ pipeline, origin: event.source });
        this.rateLimitWaitSeconds.inc({ pipeline, origin: event.source }, event.waitMs / 1000);
        break;
      case 'engine.resource_failed':
        // A stop we asked for (shutdown) is not a failure.
        if (event.error.name !== 'AbortError') this.resourceFailures.inc({ pipeline, resource });
        break;
      case 'sink.transaction_committed':
        if (topicOf) {
          const messages = event.records + event.tombstones;
          this.produced(pipeline, resource, topicOf(resource), messages, event.bytes);
        }
        this.produceLatency.observe({ pipeline, resource }, event.durationMs / 1000);
        break;
      case 'oauth2.token_requested':
        this.oauth2TokenRequests.inc({ pipeline, grant_type: event.grantType, reason: event.reason });
        break;
      case 'oauth2.token_failed':
        this.oauth2TokenFailures.inc({ pipeline, grant_type: event.grantType });
        break;
      case 'oauth2.token_issued':
        if (event.refreshTokenRotated) this.oauth2RefreshTokenRotations.inc({ pipeline });
        break;
      default:
        break;
    }
  }

  resourceSucceeded(pipeline: string, resource: string, at = Date.now()): void {
    this.lastSuccess.set({ pipeline, resource }, at / 1000);
  }

  produced(pipeline: string, resource: string, topic: string, messages: number, bytes: number): void {
    this.messagesProduced.inc({ pipeline, resource, topic }, messages);
    this.bytesProduced.inc({ pipeline, resource, topic }, bytes);
  }

  runFinished(pipeline: string, outcome: 'success' | 'failure' | 'aborted', seconds: number): void {
    this.runs.inc({ pipeline, outcome });
    this.runDuration.observe({ pipeline, outcome }, seconds);
    if (outcome !== 'aborted') this.lastRunFailed.set({ pipeline }, outcome === 'failure' ? 1 : 0);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** Keeps the label's cardinality low: `status 503`, `network`, `timeout`… rather than free text. */
function retryReason(reason: string): string {
  const status = /\b([1-5]\d\d)\b/.exec(reason);
  if (status) return `status_${status[1]}`;
  const lower = reason.toLowerCase();
  for (const word of ['timeout', 'reset', 'refused', 'network', 'rate', 'malformed', 'json']) {
    if (lower.includes(word)) return word;
  }
  return 'other';
}
