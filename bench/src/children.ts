/** Every child process the harness started and has not seen exit, so an interrupt can stop them all. */
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let stopping = false;

/** Registers a child; once the harness is stopping, a new child is killed at once. */
export function track<T extends ChildProcess>(child: T): T {
  if (stopping) {
    child.kill('SIGKILL');
    return child;
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** SIGKILLs every tracked child still running, and any started from now on; returns how many ran. */
export function killTracked(): number {
  stopping = true;
  const count = live.size;
  for (const child of live) child.kill('SIGKILL');
  live.clear();
  return count;
}
