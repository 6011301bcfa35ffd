import { type CompiledPath, compileFieldPath } from '@siphon/paginators';
import type { NormalizedIncremental } from '../config/normalized.js';
import { ExtractError } from '../errors/extract-error.js';
import { applyLag, compareValues } from './values.js';

export interface IncrementalEntry {
  last_value: unknown;
  initial_value?: unknown;
}

/**
 * One incremental walk (a resource, or one parent value of a child): decides the start value,
 * drops records outside [start, end] and tracks the last cursor value seen.
 */
export class IncrementalCursor {
  readonly startValue: unknown;
  readonly endValue: unknown;
  readonly #spec: NormalizedIncremental;
  readonly #read: CompiledPath;
  readonly #resource: string;
  readonly #previous: IncrementalEntry | undefined;
  #last: unknown;

  /**
   * @param previous the state entry of this walk, from the last run (or the interrupted one)
   * @param resumedStart the start value the interrupted run used, when resuming it
   */
  constructor(
    spec: NormalizedIncremental,
    resource: string,
    previous?: IncrementalEntry,
    resumedStart?: unknown,
  ) {
    this.#spec = spec;
    this.#read = compileFieldPath(spec.cursorPath);
    this.#resource = resource;
    this.#previous = previous;
    this.#last = previous?.last_value;
    const direction = spec.lastValueFunc === 'min' ? -1 : 1;
    this.startValue =
      resumedStart !== undefined
        ? resumedStart
        : previous?.last_value !== undefined
          ? applyLag(previous.last_value, spec.lag ?? 0, direction)
          : spec.initialValue;
    this.endValue = spec.endValue;
  }

  get lastValue(): unknown {
    return this.#last;
  }

  /** True to keep the record. Throws when its cursor is missing and `on_cursor_value_missing` is `raise`. */
  accept(record: Record<string, unknown>, position: string): boolean {
    const value = this.#read(record);
    if (value === undefined || value === null) {
      if (this.#spec.onCursorValueMissing === 'include') return true;
      if (this.#spec.onCursorValueMissing === 'exclude') return false;
      throw new ExtractError(
        this.#resource,
        `${position} has no value at cursor_path "${this.#spec.cursorPath}" (set incremental.on_cursor_value_missing to "include" or "exclude" to allow that)`,
        { code: 'CURSOR_MISSING' },
      );
    }
    const func = this.#spec.lastValueFunc;
    if (typeof func !== 'function') {
      const sign = func === 'min' ? -1 : 1;
      if (this.startValue !== undefined) {
        const fromStart = sign * compareValues(value, this.startValue);
        if (fromStart < 0 || (fromStart === 0 && this.#spec.rangeStart === 'open')) return false;
      }
      if (this.endValue !== undefined) {
        const toEnd = sign * compareValues(value, this.endValue);
        if (toEnd > 0 || (toEnd === 0 && this.#spec.rangeEnd === 'open')) return false;
      }
      if (this.#last === undefined || sign * compareValues(value, this.#last) > 0) this.#last = value;
    } else {
      this.#last = this.#last === undefined ? func([value]) : func([this.#last, value]);
    }
    return true;
  }

  /** The state entry after the records seen so far. A bounded (end_value) backfill leaves state alone, as in dlt. */
  entry(): IncrementalEntry | undefined {
    if (this.endValue !== undefined) return this.#previous;
    if (this.#last === undefined) return this.#previous;
    return {
      last_value: this.#last,
      ...(this.#spec.initialValue === undefined ? {} : { initial_value: this.#spec.initialValue }),
    };
  }
}
