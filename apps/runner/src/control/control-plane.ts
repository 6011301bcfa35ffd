import type { ResourceState, SiphonEvent } from '@siphon/core';
import { PipelineError } from '@siphon/core';
import { oneLineReason } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { describeSchedule } from '../ops/schedule.js';
import { TOKEN_RESOURCE } from '../ops/token-vault.js';
import type { PipelineRunner, RunEvent, RunOutcome } from '../pipeline/pipeline-runner.js';
import type { SchedulingGate } from './gate.js';
import { type ResourceRun, RunHistory, type RunRecord, runsFromStateTopic } from './history.js';

/** An answer of the control plane: an HTTP status and a JSON body. */
export interface Answer {
  status: number;
  body: unknown;
}

export const notFound = (what: string): Answer => ({ status: 404, body: { error: `no ${what}` } });

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * What the REST API and the status page show and do: each pipeline's config summary, schedule,
 * runs (live, from the runner's run and extract events; after a restart, rebuilt from the state
 * topic) and stored state per resource; run now, pause, resume and state resets.
 */
export class ControlPlane {
  readonly gate: SchedulingGate;
  readonly history = new RunHistory();
  readonly #runners = new Map<string, PipelineRunner>();
  readonly #active = new Map<string, Map<string, RunRecord>>();
  /** Per pipeline: runs requested through the API whose start is not seen yet, and who waits for one. */
  readonly #requested = new Map<string, { pending: number; waiters: Array<(runId: string) => void> }>();
  readonly #stateCache = new Map<
    string,
    { at: number; states: Promise<Map<string, ResourceState | undefined>> }
  >();
  readonly #log: Logger;

  constructor(runners: readonly PipelineRunner[], gate: SchedulingGate, logger: Logger) {
    this.gate = gate;
    this.#log = logger.child({ component: 'control' });
    for (const runner of runners) {
      this.#runners.set(runner.config.name, runner);
      this.#active.set(runner.config.name, new Map());
      runner.onRun((event) => this.#onRun(runner, event));
      runner.events.onAny((event) => this.#onExtract(runner.config.name, event));
    }
  }

  get names(): string[] {
    return [...this.#runners.keys()];
  }

  runner(name: string): PipelineRunner | undefined {
    return this.#runners.get(name);
  }

  activeRuns(name: string): RunRecord[] {
    return [...(this.#active.get(name)?.values() ?? [])];
  }

  isRunning(name: string, resource?: string): boolean {
    return this.activeRuns(name).some(
      (run) => resource === undefined || run.resources.some((r) => r.resource === resource),
    );
  }

  runs(name: string): RunRecord[] {
    const active = this.activeRuns(name);
    return [...active, ...this.history.list(name).filter((r) => !active.some((a) => a.run_id === r.run_id))];
  }

  /**
   * Starts a run now on this replica: 409 when one is going (or the loop is not waiting), else 202
   * once the run has started (with its id). `resources` narrows it; unknown names are a 400.
   */
  async runNow(name: string, resources: string[] | undefined): Promise<Answer> {
    const runner = this.#runners.get(name);
    if (!runner) return notFound(`pipeline named ${name}`);
    const unknown = (resources ?? []).filter((r) => !runner.resourceNames.includes(r));
    if (unknown.length > 0) {
      return {
        status: 400,
        body: {
          error: `pipeline ${name} has no resource ${unknown.join(', ')} (it has ${runner.resourceNames.join(', ')})`,
        },
      };
    }
    const busy = this.activeRuns(name).filter(
      (run) => !resources || run.resources.some((r) => resources.includes(r.resource)),
    );
    if (busy.length > 0) {
      return { status: 409, body: { error: `pipeline ${name} is running`, run_id: busy[0]?.run_id } };
    }
    const requested = this.#requested.get(name) ?? { pending: 0, waiters: [] };
    this.#requested.set(name, requested);
    const started = new Promise<string | undefined>((resolve) => {
      requested.waiters.push(resolve);
      setTimeout(() => resolve(undefined), 10_000).unref();
    });
    // The woken loops start their runs asynchronously, so counting them now comes first.
    const woken = this.gate.request(name, resources);
    requested.pending += woken.length;
    if (woken.length === 0) {
      requested.waiters.length = 0;
      return {
        status: 409,
        body: { error: `pipeline ${name} has no idle schedule on this replica to start` },
      };
    }
    const runId = await started;
    this.#log.info(
      { pipeline: name, resources: resources ?? 'all', run_id: runId },
      'run requested through the API',
    );
    return {
      status: 202,
      body: {
        pipeline: name,
        run_id: runId ?? null,
        resources: woken.includes('*') ? (resources ?? runner.resourceNames) : woken,
      },
    };
  }

  pause(name: string): Answer {
    if (!this.#runners.has(name)) return notFound(`pipeline named ${name}`);
    this.gate.pause(name);
    this.#log.info({ pipeline: name }, 'schedule paused through the API');
    return { status: 200, body: { pipeline: name, paused: true } };
  }

  resume(name: string): Answer {
    if (!this.#runners.has(name)) return notFound(`pipeline named ${name}`);
    this.gate.resume(name);
    this.#log.info({ pipeline: name }, 'schedule resumed through the API');
    return { status: 200, body: { pipeline: name, paused: false } };
  }

  /** As `siphon state --reset`: the resource's next run starts over. Refused while it runs. */
  async resetState(name: string, resource: string): Promise<Answer> {
    const runner = this.#runners.get(name);
    if (!runner) return notFound(`pipeline named ${name}`);
    if (!runner.source.resources.some((r) => r.name === resource)) {
      return notFound(`resource named ${resource} in pipeline ${name}`);
    }
    if (this.isRunning(name, resource)) {
      return { status: 409, body: { error: `${name}/${resource} is running; reset it once the run ends` } };
    }
    await runner.deleteState(resource);
    this.#stateCache.delete(name);
    this.#log.info({ pipeline: name, resource }, 'state reset through the API');
    return { status: 200, body: { pipeline: name, resource, reset: true } };
  }

  /** Fills the run history from the state topics (Kafka state stores), or from the stored `last_run`s. */
  async rebuildHistory(): Promise<void> {
    const byTopic = new Map<string, { runner: PipelineRunner; names: Set<string> }>();
    for (const runner of this.#runners.values()) {
      const { config } = runner;
      if (config.state.store !== 'kafka') continue;
      const topic = config.topics.stateTopic;
      const id = `${config.kafka.brokers.join(',')}/${topic}`;
      const entry = byTopic.get(id) ?? { runner, names: new Set<string>() };
      entry.names.add(config.name);
      byTopic.set(id, entry);
    }
    for (const { runner, names } of byTopic.values()) {
      const { config } = runner;
      const topic = config.topics.stateTopic;
      try {
        const runs = await runsFromStateTopic(config.kafka, topic, names);
        for (const run of runs) if (!this.history.has(run.pipeline, run.run_id)) this.history.put(run);
        this.#log.debug({ topic, runs: runs.length }, 'run history rebuilt from the state topic');
      } catch (error) {
        this.#log.warn(
          { topic, reason: oneLineReason(error) },
          'could not rebuild the run history from the state topic',
        );
      }
    }
  }

  /** The config summary (no secrets), schedule, runs and per-resource state of one pipeline. */
  async view(name: string, owners?: Map<string, unknown>): Promise<Record<string, unknown> | undefined> {
    const runner = this.#runners.get(name);
    if (!runner) return undefined;
    const { config } = runner;
    const states = await this.#storedStates(runner);
    const runs = this.runs(name);
    const finished = runs.filter((r) => r.status !== 'running');
    const active = this.activeRuns(name);
    const resources = runner.resourceNames.map((resource) => {
      const state = states.get(resource);
      const live = active.flatMap((r) => r.resources).find((r) => r.resource === resource);
      const last = finished.flatMap((r) =>
        r.resources.filter((x) => x.resource === resource && x.status !== 'waiting'),
      )[0];
      return {
        name: resource,
        topic: runner.topicOf(resource),
        status: live ? 'running' : 'idle',
        ...(owners ? { owner: owners.get(`${name}/${resource}`) ?? null } : {}),
        progress: live ?? null,
        last_run: last ?? null,
        next_run_at: iso(this.gate.nextRunAt(name, resource)),
        state: {
          last_run: state?.last_run ?? null,
          checkpoint: state?.checkpoint
            ? { run_id: state.checkpoint.run_id, pages: state.checkpoint.pages }
            : null,
          incremental: state?.incremental ?? null,
        },
      };
    });
    return {
      name,
      source: runner.sourceName,
      schedule: config.schedule
        ? { ...config.schedule, description: describeSchedule(config.schedule) }
        : null,
      paused: this.gate.isPaused(name),
      next_run_at: iso(this.gate.nextRunAt(name)),
      running: active.length > 0,
      concurrency: config.concurrency,
      kafka: { brokers: config.kafka.brokers },
      registry: { url: config.registry.url },
      topics: { prefix: config.topics.prefix, template: config.topics.template },
      state_store: config.state.store,
      current_run: active[0] ?? null,
      last_run: finished[0] ?? null,
      recent_runs: finished.slice(0, 30).map((r) => ({
        run_id: r.run_id,
        status: r.status,
        started_at: r.started_at,
        duration_ms: r.duration_ms,
        records: r.records,
      })),
      resources,
    };
  }

  async #storedStates(runner: PipelineRunner): Promise<Map<string, ResourceState | undefined>> {
    const name = runner.config.name;
    const cached = this.#stateCache.get(name);
    if (cached && Date.now() - cached.at < 2000) return cached.states;
    const states = (async () => {
      const out = new Map<string, ResourceState | undefined>();
      await Promise.all(
        runner.resourceNames
          .filter((r) => r !== TOKEN_RESOURCE)
          .map(async (r) => {
            out.set(r, await runner.committedState(r));
          }),
      );
      return out;
    })();
    this.#stateCache.set(name, { at: Date.now(), states });
    states.catch(() => this.#stateCache.delete(name));
    return states;
  }

  #onRun(runner: PipelineRunner, event: RunEvent): void {
    const name = runner.config.name;
    const active = this.#active.get(name);
    if (!active) return;
    if (event.type === 'runner.run_started') {
      const requested = this.#requested.get(name);
      const byApi = requested !== undefined && requested.pending > 0;
      if (requested && byApi) requested.pending -= 1;
      const run: RunRecord = {
        run_id: event.runId,
        pipeline: name,
        status: 'running',
        trigger: byApi ? 'api' : 'schedule',
        started_at: iso(event.at),
        finished_at: null,
        duration_ms: null,
        records: 0,
        pages: 0,
        error: null,
        resources: event.resources.map((resource) => ({
          resource,
          status: 'waiting',
          pages: 0,
          records: 0,
          started_at: null,
          finished_at: null,
          duration_ms: null,
          error: null,
        })),
      };
      active.set(event.runId, run);
      if (byApi) for (const resolve of requested.waiters.splice(0)) resolve(event.runId);
      return;
    }
    const run = active.get(event.runId);
    if (!run) return;
    active.delete(event.runId);
    this.#stateCache.delete(name);
    this.history.put(finishRun(run, event.outcome, event.at));
  }

  #onExtract(name: string, event: SiphonEvent): void {
    if (!('resource' in event) || !event.resource) return;
    const row = this.activeRuns(name)
      .flatMap((r) => r.resources.map((x) => ({ run: r, x })))
      .find(({ x }) => x.resource === event.resource);
    if (!row) return;
    const { run, x } = row;
    const now = Date.now();
    switch (event.type) {
      case 'engine.resource_started':
        x.status = 'running';
        x.started_at = iso(now);
        break;
      case 'engine.page_fetched':
        x.pages = (x.pages ?? 0) + 1;
        x.records += event.records;
        run.pages = (run.pages ?? 0) + 1;
        run.records += event.records;
        if (x.status === 'waiting') {
          x.status = 'running';
          x.started_at = iso(now);
        }
        break;
      case 'engine.resource_finished':
        x.status = 'success';
        x.finished_at = iso(now);
        x.duration_ms = event.durationMs;
        break;
      case 'engine.resource_failed':
        x.status = event.error.name === 'AbortError' ? 'aborted' : 'failure';
        x.finished_at = iso(now);
        if (x.status === 'failure') x.error = oneLineReason(event.error);
        break;
      default:
        break;
    }
  }
}

/** The run record once its outcome is known; per-resource counts from the engine's results. */
function finishRun(run: RunRecord, outcome: RunOutcome, at: number): RunRecord {
  const results = new Map(outcome.results.map((r) => [r.resource, r]));
  const failed = new Map<string, string>();
  if (outcome.status === 'failure' && PipelineError.isInstance(outcome.error)) {
    for (const f of outcome.error.failed) failed.set(f.resource, oneLineReason(f.error));
  }
  const resources: ResourceRun[] = run.resources.map((x) => {
    const result = results.get(x.resource);
    const status: ResourceRun['status'] = result
      ? 'success'
      : failed.has(x.resource)
        ? 'failure'
        : x.status === 'running' || x.status === 'waiting'
          ? outcome.status === 'failure'
            ? 'failure'
            : 'aborted'
          : x.status;
    return {
      ...x,
      status,
      pages: result?.pages ?? x.pages,
      records: result?.records ?? x.records,
      finished_at: x.finished_at ?? new Date(at).toISOString(),
      error: failed.get(x.resource) ?? x.error,
    };
  });
  return {
    ...run,
    status: outcome.status,
    finished_at: new Date(at).toISOString(),
    duration_ms: outcome.durationMs,
    records: resources.reduce((n, r) => n + r.records, 0),
    pages: resources.reduce((n, r) => n + (r.pages ?? 0), 0),
    error: outcome.status === 'failure' ? oneLineReason(outcome.error) : null,
    resources,
  };
}
