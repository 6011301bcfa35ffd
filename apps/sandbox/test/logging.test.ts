import { Writable } from 'node:stream';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { startSandbox } from '../src/index.js';
import { analyticsGet } from './helpers.js';

it('logs every API request at debug level as structured JSON', async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).trim().split('\n'))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const sandbox = await startSandbox({
    size: 3,
    logger: pino({ level: 'debug' }, sink),
    faults: [{ kind: 'status', status: 503, count: 1 }],
  });
  try {
    await analyticsGet(sandbox, '/v1/plans?per_page=2');
    await analyticsGet(sandbox, '/v1/plans?per_page=2');
  } finally {
    await sandbox.close();
  }
  const requests = lines.filter((line) => line.msg === 'request');
  expect(requests).toHaveLength(2);
  expect(requests[0]).toMatchObject({
    level: 20,
    api: 'analytics',
    method: 'GET',
    path: '/v1/plans',
    query: '?per_page=2',
    status: 503,
    faults: ['status'],
  });
  expect(requests[1]).toMatchObject({ status: 200, faults: [] });
  expect(typeof requests[1]!.ms).toBe('number');
});
