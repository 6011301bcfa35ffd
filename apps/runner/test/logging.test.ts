import { Redaction } from '@siphon/core';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logging/logger.js';

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => lines.push(line) } };
}

describe('logs', () => {
  it('are JSON lines with level names and an ISO time', () => {
    const { lines, destination } = capture();
    createLogger({ secrets: new Redaction(), destination }).info({ pipeline: 'billing' }, 'run started');
    const entry = JSON.parse(lines[0] ?? '');
    expect(entry).toMatchObject({
      level: 'info',
      msg: 'run started',
      pipeline: 'billing',
      service: 'siphon',
    });
    expect(new Date(entry.time).toISOString()).toBe(entry.time);
  });

  it('censor secret keys at any depth of the logged object', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ secrets: new Redaction(), destination });
    logger.info(
      {
        kafka: { sasl: { mechanism: 'plain', username: 'u', password: 'p4ssw0rd-kafka' } },
        auth: { client_secret: 'cs-123456', refresh_token: 'rt-abcdef' },
        headers: { authorization: 'Bearer eyJhbGciOi' },
      },
      'config',
    );
    const line = lines[0] ?? '';
    for (const secret of ['p4ssw0rd-kafka', 'cs-123456', 'rt-abcdef', 'eyJhbGciOi'])
      expect(line).not.toContain(secret);
    expect(JSON.parse(line).kafka.sasl).toEqual({
      mechanism: 'plain',
      username: 'u',
      password: '[redacted]',
    });
  });

  it('scrub known secret values from messages and errors, raw and JSON-escaped', () => {
    const { lines, destination } = capture();
    const secrets = new Redaction();
    secrets.add('top"secret\\value');
    secrets.add('plain-secret-42');
    const logger = createLogger({ secrets, destination });
    logger.error({ err: new Error('token plain-secret-42 refused') }, 'failed with top"secret\\value inside');
    const line = lines[0] ?? '';
    expect(line).not.toContain('plain-secret-42');
    expect(line).not.toContain('top\\"secret\\\\value');
    expect(JSON.parse(line).msg).toBe('failed with [redacted] inside');
    expect(JSON.parse(line).err.message).toBe('token [redacted] refused');
  });

  it('scrub bearer tokens, credential query parameters and URL passwords nobody declared', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ secrets: new Redaction(), destination });
    logger.warn('GET https://api.test/v1?page=2&access_token=abc.def.ghi with Bearer 1000.abcdef123');
    logger.warn('registry at https://user:hunter2@registry.test/apis');
    expect(JSON.parse(lines[0] ?? '').msg).toBe(
      'GET https://api.test/v1?page=2&access_token=[redacted] with Bearer [redacted]',
    );
    expect(JSON.parse(lines[1] ?? '').msg).toBe('registry at https://user:[redacted]@registry.test/apis');
  });

  it('ignore values too short to be secrets, so ordinary words survive', () => {
    const secrets = new Redaction();
    secrets.add('abc');
    expect(secrets.text('abc def')).toBe('abc def');
  });
});
