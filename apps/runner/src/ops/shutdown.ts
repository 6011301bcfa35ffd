import { type LongTimer, setLongTimeout } from '@siphon/core';

export interface ShutdownOptions {
  /** How long a graceful stop may take before the process exits anyway. */
  deadlineMs: number;
  onSignal?(signal: NodeJS.Signals): void;
  /** Called when the deadline passes or a second signal arrives: must end the process. */
  onForce(reason: string): void;
  signals?: NodeJS.Signals[];
  /** Defaults to `process`; tests pass an EventEmitter. */
  target?: Pick<NodeJS.Process, 'on' | 'off'>;
}

export interface ShutdownHandle {
  /** Aborted on the first SIGTERM or SIGINT: fetching stops, writers commit or abort and flush. */
  signal: AbortSignal;
  /** Which signal started the shutdown, once one did. */
  readonly received: NodeJS.Signals | undefined;
  dispose(): void;
}

/**
 * Graceful shutdown: the first signal aborts the work and starts the deadline timer; a second
 * signal, or the deadline, forces the exit.
 */
export function handleShutdown(options: ShutdownOptions): ShutdownHandle {
  const controller = new AbortController();
  const target = options.target ?? process;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let received: NodeJS.Signals | undefined;
  let timer: LongTimer | undefined;

  const listener = (signal: NodeJS.Signals) => {
    if (received) {
      options.onForce(`second ${signal} received during shutdown`);
      return;
    }
    received = signal;
    options.onSignal?.(signal);
    // An AbortError: what the engine expects a stop to be (a resource stopped, not failed).
    controller.abort(new DOMException(`${signal} received`, 'AbortError'));
    timer = setLongTimeout(
      () => options.onForce(`shutdown took longer than ${Math.round(options.deadlineMs / 1000)}s`),
      options.deadlineMs,
    ).unref();
  };
  for (const signal of signals) target.on(signal, listener);

  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    dispose() {
      timer?.clear();
      for (const signal of signals) target.off(signal, listener);
    },
  };
}
