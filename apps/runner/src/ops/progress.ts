import type { SiphonEvent } from '@siphon/core';

export interface ProgressRow {
  pipeline: string;
  resource: string;
  status: 'waiting' | 'running' | 'done' | 'failed';
  pages: number;
  records: number;
  retries: number;
  rateLimitWaits: number;
  startedAt: number | undefined;
  finishedAt: number | undefined;
}

/** Records per second over the resource's run so far (or its whole run once finished). */
export function rate(row: ProgressRow, now: number): number {
  if (row.startedAt === undefined) return 0;
  const seconds = ((row.finishedAt ?? now) - row.startedAt) / 1000;
  return seconds > 0 ? row.records / seconds : 0;
}

const STATUS_MARK: Record<ProgressRow['status'], string> = {
  waiting: '·',
  running: '›',
  done: '✓',
  failed: '✗',
};

/**
 * One line per resource: fixed-width numbers first and the name last, so a narrow terminal cuts
 * the end of a name rather than a number.
 */
export function renderRows(rows: readonly ProgressRow[], now: number, width = 120): string[] {
  return rows.map((row) => {
    const parts = [
      `${STATUS_MARK[row.status]} ${row.status.padEnd(7)}`,
      `pages ${String(row.pages).padStart(5)}`,
      `records ${row.records.toLocaleString('en-US').padStart(9)}`,
      `${Math.round(rate(row, now)).toLocaleString('en-US').padStart(7)} rec/s`,
      `retries ${String(row.retries).padStart(3)}`,
    ];
    if (row.rateLimitWaits > 0) parts.push(`waits ${row.rateLimitWaits}`);
    parts.push(`${row.pipeline}/${row.resource}`);
    const line = parts.join('  ');
    return line.length > width ? line.slice(0, width - 1) : line;
  });
}

interface TtyStream {
  write(chunk: string): unknown;
  columns?: number;
}

/**
 * A live per-resource table on a terminal, redrawn in place a few times per second. Log lines
 * written through `writeAbove` appear above the table instead of tearing it.
 */
export class ProgressBoard {
  readonly #rows = new Map<string, ProgressRow>();
  readonly #stream: TtyStream;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #drawnLines = 0;
  #stopped = false;

  constructor(stream: TtyStream, options: { intervalMs?: number } = {}) {
    this.#stream = stream;
    this.#intervalMs = options.intervalMs ?? 250;
  }

  rows(): ProgressRow[] {
    return [...this.#rows.values()];
  }

  /** Lists resources up front, so the table shows what is still waiting. */
  expect(pipeline: string, resources: readonly string[]): void {
    for (const resource of resources) this.#row(pipeline, resource);
  }

  observe(pipeline: string, event: SiphonEvent, now = Date.now()): void {
    if (!('resource' in event) || !event.resource) return;
    const row = this.#row(pipeline, event.resource);
    switch (event.type) {
      case 'engine.resource_started':
        row.status = 'running';
        row.startedAt = now;
        row.finishedAt = undefined;
        row.pages = 0;
        row.records = 0;
        break;
      case 'engine.page_fetched':
        row.pages += 1;
        row.records += event.records;
        if (row.startedAt === undefined) {
          row.startedAt = now;
          row.status = 'running';
        }
        break;
      case 'http.retry':
        row.retries += 1;
        break;
      case 'http.rate_limited':
        row.rateLimitWaits += 1;
        break;
      case 'engine.resource_finished':
        row.status = 'done';
        row.finishedAt = now;
        break;
      case 'engine.resource_failed':
        row.status = 'failed';
        row.finishedAt = now;
        break;
      default:
        break;
    }
  }

  start(): void {
    if (this.#stopped) return;
    this.#timer ??= setInterval(() => this.draw(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Stops redrawing and leaves the final table on screen, once however often it is called. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.draw();
    this.#drawnLines = 0;
  }

  writeAbove(text: string): void {
    this.#clear();
    this.#stream.write(text.endsWith('\n') ? text : `${text}\n`);
    if (this.#timer) this.draw();
  }

  draw(now = Date.now()): void {
    this.#clear();
    const lines = renderRows(this.rows(), now, this.#stream.columns ?? 120);
    if (lines.length > 0) this.#stream.write(`${lines.join('\n')}\n`);
    this.#drawnLines = lines.length;
  }

  #clear(): void {
    // Cursor up one line and erase it, once per line drawn last time.
    if (this.#drawnLines > 0) this.#stream.write('\x1b[1A\x1b[2K'.repeat(this.#drawnLines));
    this.#drawnLines = 0;
  }

  #row(pipeline: string, resource: string): ProgressRow {
    const key = `${pipeline}\u0000${resource}`;
    let row = this.#rows.get(key);
    if (!row) {
      row = {
        pipeline,
        resource,
        status: 'waiting',
        pages: 0,
        records: 0,
        retries: 0,
        rateLimitWaits: 0,
        startedAt: undefined,
        finishedAt: undefined,
      };
      this.#rows.set(key, row);
    }
    return row;
  }
}
