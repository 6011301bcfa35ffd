// Loaded with `node --import` into every measured Node process: at exit it writes the process's own
// resource usage (CPU microseconds, peak RSS in KiB) to $SIPHON_BENCH_USAGE_FILE. Plain JS so that it
// loads in any process, without type stripping.
//
// Peak RSS is VmHWM from /proc/self/status, not getrusage's maxrss: Linux carries ru_maxrss across
// fork and exec, so a child would report the harness's own peak whenever that was higher.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env.SIPHON_BENCH_USAGE_FILE;

function peakRssKiB() {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // not Linux: fall back below
  }
  return process.resourceUsage().maxRSS;
}

if (file) {
  process.on('exit', () => {
    const { userCPUTime, systemCPUTime } = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ userCPUTime, systemCPUTime, maxRSS: peakRssKiB() }));
  });
}
