import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { type Logger, resolveOptions } from '../../../src/index.js';
import { createKafka, kafkaJsLogCreator } from '../../../src/kafkajs/client.js';

const { logLevel } = kafkajs;

type Level = 'debug' | 'info' | 'warn' | 'error';

function captureLogger(): Logger & { lines: Array<{ level: Level; msg: string }> } {
  const lines: Array<{ level: Level; msg: string }> = [];
  const at = (level: Level) => (_obj: object, msg?: string) => {
    lines.push({ level, msg: msg ?? '' });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** One kafkajs log entry, as kafkajs hands it to a log creator. */
function emit(logger: Logger, level: number, message: string, extra: Record<string, unknown> = {}): void {
  const log = kafkaJsLogCreator(logger)(logLevel.DEBUG);
  log({ namespace: 'Producer', level, label: 'ERROR', log: { timestamp: '', message, ...extra } });
}

describe('kafkajs log lines through the sink logger', () => {
  it('demotes the "Limiting retries" warning every transactional producer prints', () => {
    const logger = captureLogger();
    const kafka = createKafka(
      resolveOptions({
        kafka: { brokers: ['127.0.0.1:9'] },
        registry: { url: 'http://127.0.0.1:9' },
        logger,
      }),
    );
    // kafkajs logs it while building the producer; no broker is contacted.
    kafka.producer({
      idempotent: true,
      transactionalId: 't-1',
      maxInFlightRequests: 1,
      retry: { retries: 10 },
    });
    const limiting = logger.lines.filter((l) => l.msg.includes('Limiting retries'));
    expect(limiting).toHaveLength(1);
    expect(limiting[0]?.level).toBe('debug');
  });

  it('demotes CONCURRENT_TRANSACTIONS errors in every wording kafkajs uses', () => {
    const logger = captureLogger();
    emit(
      logger,
      logLevel.ERROR,
      'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
    );
    emit(logger, logLevel.ERROR, 'Failed to send messages', { error: 'CONCURRENT_TRANSACTIONS' });
    expect(logger.lines.map((l) => l.level)).toEqual(['debug', 'debug']);
  });

  it('demotes produce retries while a fresh topic settles', () => {
    const logger = captureLogger();
    emit(logger, logLevel.ERROR, 'Failed to send messages: This server does not host this topic-partition');
    emit(
      logger,
      logLevel.ERROR,
      'Failed to send messages: This server is not the leader for that topic-partition',
    );
    expect(logger.lines.map((l) => l.level)).toEqual(['debug', 'debug']);
  });

  it('demotes the per-request lines of a coordinator that is still loading or moving', () => {
    const logger = captureLogger();
    const connection = kafkaJsLogCreator(logger)(logLevel.DEBUG);
    for (const error of [
      "The coordinator is loading and hence can't process requests for this group",
      'The group coordinator is not available',
      'This is not the correct coordinator for this group',
    ]) {
      connection({
        namespace: 'Connection',
        level: logLevel.ERROR,
        label: 'ERROR',
        log: { timestamp: '', message: 'Response InitProducerId(key: 22, version: 1)', error },
      });
    }
    emit(logger, logLevel.ERROR, 'Restarting the consumer in 300ms');
    expect(logger.lines.map((l) => l.level)).toEqual(['debug', 'debug', 'debug', 'debug']);
  });

  it('keeps every other line at its level', () => {
    const logger = captureLogger();
    emit(
      logger,
      logLevel.ERROR,
      'Failed to send messages: The request included a message larger than the max message size the server will accept',
    );
    emit(logger, logLevel.WARN, 'Connection timeout');
    emit(logger, logLevel.INFO, 'Consumer has joined the group');
    expect(logger.lines.map((l) => l.level)).toEqual(['error', 'warn', 'info']);
  });
});
