import { decodeStateKey } from '@siphon/sink-kafka';
import type { PipelineConfig } from '../config/schema.js';
import { readTopics } from '../ops/topic-reader.js';

export type RunStatus = 'running' | 'success' | 'failure' | 'aborted';

export interface ResourceRun {
  resource: string;
  status: 'waiting' | 'running' | 'success' | 'failure' | 'aborted';
  pages: number | null;
  records: number;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  error: string | null;
}

export interface RunRecord {
  run_id: string;
  pipeline: string;
  status: RunStatus;
  /** `schedule`, `api` (run now), or `state topic` for runs rebuilt after a restart. */
  trigger: 'schedule' | 'api' | 'state topic';
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  records: number;
  pages: number | null;
  error: string | null;
  resources: ResourceRun[];
}

/** Recent runs per pipeline, newest first, at most `limit` each. */
export class RunHistory {
  readonly #runs = new Map<string, RunRecord[]>();
  readonly #limit: number;

  constructor(limit = 50) {
    this.#limit = limit;
  }

  list(pipeline: string): RunRecord[] {
    return this.#runs.get(pipeline) ?? [];
  }

  /** Adds or replaces (same run id) a run, keeping the list ordered by start, newest first. */
  put(run: RunRecord): void {
    const list = (this.#runs.get(run.pipeline) ?? []).filter((r) => r.run_id !== run.run_id);
    list.push(run);
    list.sort((a, b) =>
      (b.started_at ?? b.finished_at ?? '').localeCompare(a.started_at ?? a.finished_at ?? ''),
    );
    this.#runs.set(run.pipeline, list.slice(0, this.#limit));
  }

  has(pipeline: string, runId: string): boolean {
    return this.list(pipeline).some((r) => r.run_id === runId);
  }
}

interface StateMessage {
  state?: {
    last_run?: { run_id?: string; completed_at?: string; records?: number };
    checkpoint?: { run_id?: string; pages?: number } | null;
  };
  written_at?: string;
}

/**
 * The completed runs the state topic still holds: every state message a run committed carries
 * its checkpoint (while it runs) or its `last_run` (once a resource completed), so reading the
 * topic from the start gives, per run id, when its first page was committed, when each resource
 * completed and with how many records. Compaction eventually keeps only the latest message per
 * resource, so older runs fade out; failed runs leave no `last_run` and are not rebuilt.
 */
export async function runsFromStateTopic(
  kafka: PipelineConfig['kafka'],
  topic: string,
  pipelines: ReadonlySet<string>,
): Promise<RunRecord[]> {
  const firstWrite = new Map<string, string>();
  const completed = new Map<
    string,
    { pipeline: string; resource: string; run_id: string; at: string; records: number }
  >();
  await readTopics(kafka, [topic], (message) => {
    if (!message.key || !message.value) return;
    const key = decodeStateKey(message.key);
    if (!key || !pipelines.has(key.pipeline)) return;
    let value: StateMessage;
    try {
      value = JSON.parse(message.value.toString('utf8')) as StateMessage;
    } catch {
      return;
    }
    const checkpoint = value.state?.checkpoint;
    if (checkpoint?.run_id && value.written_at) {
      const id = `${key.pipeline}\u0000${checkpoint.run_id}`;
      if (!firstWrite.has(id)) firstWrite.set(id, value.written_at);
    }
    const last = value.state?.last_run;
    if (last?.run_id && last.completed_at) {
      const id = `${key.pipeline}\u0000${key.resource}\u0000${last.run_id}`;
      if (!completed.has(id)) {
        completed.set(id, {
          pipeline: key.pipeline,
          resource: key.resource,
          run_id: last.run_id,
          at: last.completed_at,
          records: last.records ?? 0,
        });
      }
    }
  });
  const runs = new Map<string, RunRecord>();
  for (const c of completed.values()) {
    const id = `${c.pipeline}\u0000${c.run_id}`;
    const run = runs.get(id) ?? {
      run_id: c.run_id,
      pipeline: c.pipeline,
      status: 'success' as const,
      trigger: 'state topic' as const,
      started_at: firstWrite.get(id) ?? null,
      finished_at: c.at,
      duration_ms: null,
      records: 0,
      pages: null,
      error: null,
      resources: [],
    };
    run.records += c.records;
    if (!run.finished_at || c.at > run.finished_at) run.finished_at = c.at;
    if (!run.started_at || c.at < run.started_at) run.started_at = firstWrite.get(id) ?? c.at;
    run.resources.push({
      resource: c.resource,
      status: 'success',
      pages: null,
      records: c.records,
      started_at: null,
      finished_at: c.at,
      duration_ms: null,
      error: null,
    });
    runs.set(id, run);
  }
  for (const run of runs.values()) {
    if (run.started_at && run.finished_at) {
      run.duration_ms = Date.parse(run.finished_at) - Date.parse(run.started_at);
    }
  }
  return [...runs.values()];
}
