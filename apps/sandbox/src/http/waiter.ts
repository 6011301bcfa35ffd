interface Pending {
  timer: NodeJS.Timeout;
  resolve: () => void;
}

/** Timers for latency and slow faults that `cancelAll` releases at once when the sandbox closes. */
export class Waiter {
  private readonly pending = new Set<Pending>();
  closed = false;

  wait(ms: number): Promise<void> {
    if (this.closed || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const entry: Pending = {
        timer: setTimeout(() => {
          this.pending.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.pending.add(entry);
    });
  }

  cancelAll(): void {
    this.closed = true;
    for (const entry of this.pending) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    this.pending.clear();
  }
}
