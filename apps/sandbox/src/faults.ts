/**
 * Fault rules: which requests misbehave, and how. Each rule counts the requests it matches;
 * `afterRequests` skips the first ones, `count` caps how many times it fires, `probability`
 * rolls a die from a generator seeded by (sandbox seed, rule position) — so a given request
 * sequence always meets the same faults.
 */
import { Rng } from './data/rng.js';

export type FaultApi = 'billing' | 'analytics' | 'accounts';

export type FaultKind =
  | 'status'
  | 'retry_after_seconds'
  | 'retry_after_date'
  | 'reset'
  | 'slow'
  | 'malformed_json'
  | 'html_200'
  | 'empty_page'
  | 'repeat_cursor'
  | 'shift_records'
  /** Answers `status` (default 400) with a body that echoes the request, headers included, as careless APIs do. */
  | 'echo_request';

export interface Fault {
  /** Default: any origin. */
  api?: FaultApi;
  /** A string matches the request path exactly; a RegExp is tested against it. */
  path?: string | RegExp;
  kind: FaultKind;
  /** For `status`: the HTTP status to answer (500, 502, 503, 504, 429, ...). */
  status?: number;
  /** For `retry_after_*`: the wait announced in `Retry-After` (default 1). */
  retryAfterSeconds?: number;
  /** For `slow`: how long to wait before answering (default 30000). */
  delayMs?: number;
  /** For `shift_records`: how many records each firing inserts at the head (default 1). */
  shiftBy?: number;
  /** 0..1, rolled per matching request. */
  probability?: number;
  /** Fire for the first N matching requests only (after `afterRequests`). */
  count?: number;
  /** Let the first N matching requests through untouched. */
  afterRequests?: number;
}

export const FAULT_KINDS: readonly FaultKind[] = [
  'status',
  'retry_after_seconds',
  'retry_after_date',
  'reset',
  'slow',
  'malformed_json',
  'html_200',
  'empty_page',
  'repeat_cursor',
  'shift_records',
  'echo_request',
];

/** Faults that replace the whole answer before the API even looks at the request. */
export const REPLACING_KINDS: ReadonlySet<FaultKind> = new Set([
  'status',
  'retry_after_seconds',
  'retry_after_date',
  'html_200',
  'echo_request',
]);
/** Faults that spoil how a finished answer is delivered. */
export const DELIVERY_KINDS: ReadonlySet<FaultKind> = new Set(['reset', 'slow', 'malformed_json']);

/** Checks a fault rule and says what is wrong, naming its position in the list. */
export function validateFault(fault: Fault, position: number): Fault {
  const where = `faults[${position}]`;
  if (!fault || typeof fault !== 'object')
    throw new Error(`${where}: expected an object, got ${JSON.stringify(fault)}`);
  if (!FAULT_KINDS.includes(fault.kind)) {
    throw new Error(
      `${where}.kind: expected one of ${FAULT_KINDS.join(', ')}; got ${JSON.stringify(fault.kind)}`,
    );
  }
  if (fault.api !== undefined && !['billing', 'analytics', 'accounts'].includes(fault.api)) {
    throw new Error(
      `${where}.api: expected 'billing', 'analytics' or 'accounts'; got ${JSON.stringify(fault.api)}`,
    );
  }
  if (fault.path !== undefined && typeof fault.path !== 'string' && !(fault.path instanceof RegExp)) {
    throw new Error(`${where}.path: expected a string or RegExp`);
  }
  if (fault.kind === 'status') {
    if (!Number.isInteger(fault.status) || (fault.status as number) < 400 || (fault.status as number) > 599) {
      throw new Error(
        `${where}.status: kind 'status' needs an HTTP error status (400-599); got ${JSON.stringify(fault.status)}`,
      );
    }
  }
  if (fault.probability !== undefined && !(fault.probability >= 0 && fault.probability <= 1)) {
    throw new Error(
      `${where}.probability: expected a number in 0..1; got ${JSON.stringify(fault.probability)}`,
    );
  }
  for (const key of ['count', 'afterRequests', 'delayMs', 'retryAfterSeconds', 'shiftBy'] as const) {
    const value = fault[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new Error(`${where}.${key}: expected a non-negative integer; got ${JSON.stringify(value)}`);
    }
  }
  return fault;
}

interface RuleState {
  fault: Fault;
  rng: Rng;
  seen: number;
  fired: number;
}

export interface FaultTarget {
  api: FaultApi;
  path: string;
}

export class FaultEngine {
  private rules: RuleState[] = [];

  constructor(private readonly seed: number) {}

  set(faults: readonly Fault[]): void {
    this.rules = faults.map((fault, position) => ({
      fault: validateFault(fault, position),
      rng: new Rng(this.seed, 0xfa17, position),
      seen: 0,
      fired: 0,
    }));
  }

  list(): Fault[] {
    return this.rules.map((rule) => rule.fault);
  }

  /**
   * Rules among `kinds` that fire for this request, in list order. Only rules whose route
   * matches (and, when `eligible` is false, none) count the request.
   */
  fire(kinds: ReadonlySet<FaultKind>, target: FaultTarget, eligible = true): Fault[] {
    if (!eligible || this.rules.length === 0) return [];
    const fired: Fault[] = [];
    for (const rule of this.rules) {
      const { fault } = rule;
      if (!kinds.has(fault.kind) || !matches(fault, target)) continue;
      const seen = rule.seen++;
      if (seen < (fault.afterRequests ?? 0)) continue;
      if (fault.count !== undefined && rule.fired >= fault.count) continue;
      if (fault.probability !== undefined && !(rule.rng.next() < fault.probability)) continue;
      rule.fired++;
      fired.push(fault);
    }
    return fired;
  }
}

function matches(fault: Fault, target: FaultTarget): boolean {
  if (fault.api !== undefined && fault.api !== target.api) return false;
  if (fault.path === undefined) return true;
  if (typeof fault.path === 'string') return fault.path === target.path;
  fault.path.lastIndex = 0;
  return fault.path.test(target.path);
}

/** A fault rule as JSON can carry it (CLI, config file, control endpoint). */
export interface FaultJson extends Omit<Fault, 'path'> {
  path?: string;
  /** A regular expression source, for routes a plain path cannot name. */
  pathPattern?: string;
}

export function faultFromJson(json: FaultJson, position: number): Fault {
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error(`faults[${position}]: expected a JSON object, got ${JSON.stringify(json)}`);
  }
  const { pathPattern, ...rest } = json;
  const fault: Fault = { ...rest };
  if (pathPattern !== undefined) {
    if (json.path !== undefined)
      throw new Error(`faults[${position}]: give 'path' or 'pathPattern', not both`);
    try {
      fault.path = new RegExp(pathPattern);
    } catch (error) {
      throw new Error(
        `faults[${position}].pathPattern: not a valid regular expression: ${(error as Error).message}`,
      );
    }
  }
  return validateFault(fault, position);
}

export function faultToJson(fault: Fault): FaultJson {
  const { path, ...rest } = fault;
  if (path instanceof RegExp) return { ...rest, pathPattern: path.source };
  return path === undefined ? rest : { ...rest, path };
}
