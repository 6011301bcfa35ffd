/**
 * Node prints process warnings as plain text on stderr, which would break the JSON log stream.
 * They become one JSON line each instead. kafkajs 2.2.4 schedules a timer with a negative delay
 * on every request (Node 24 warns `TimeoutNegativeWarning`); Node clamps it to 1 ms, so it is
 * harmless and dropped.
 */
export function routeProcessWarnings(write: (line: string) => void = (l) => process.stderr.write(l)): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    write(
      `${JSON.stringify({ level: 'warn', time: new Date().toISOString(), service: 'siphon', warning: warning.name, msg: warning.message })}\n`,
    );
  });
}
