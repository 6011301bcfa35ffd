/**
 * A KRaft broker that has just accepted CreateTopics answers "does not host this topic-partition"
 * and "not the leader" for a moment. These fakes play such a broker, deterministically.
 */

import { describe, expect, it } from 'vitest';
import {
  ensureTopics,
  isSettlingError,
  type KafkaAdmin,
  type KafkaPort,
  type SettlePolicy,
  type TopicSpec,
  untilSettled,
} from '../../src/index.js';
import { TopicTail } from '../../src/reader.js';
import {
  type CallScript,
  leaderNotAvailable,
  notLeader,
  protocolError,
  scriptedAdmin,
  scriptedCalls,
  unknownTopic,
} from '../../src/testing.js';

const FAST: SettlePolicy = { attempts: 4, minDelayMs: 1, maxDelayMs: 2 };

function spec(topic: string, cleanupPolicy: 'compact' | 'delete' = 'compact'): TopicSpec {
  return {
    topic,
    cleanupPolicy,
    partitions: 1,
    replicationFactor: 1,
    configs: { 'cleanup.policy': cleanupPolicy },
    purpose: 'state',
  };
}

interface FakeBroker {
  admin: KafkaAdmin;
  calls: Record<string, number>;
  topics: Map<string, string>;
}

/**
 * A one-broker cluster. `failures` lists, per admin method, what its next calls do first: throw the
 * error returned, or just run (returning nothing, e.g. to play another process).
 */
function fakeBroker(failures: CallScript = {}, existing: Record<string, string> = {}): FakeBroker {
  const topics = new Map(Object.entries(existing));
  const { calls, step } = scriptedCalls(failures);
  const admin = scriptedAdmin(step, topics, {
    createTopics: async (wanted) => {
      step('createTopics');
      let created = false;
      for (const t of wanted) {
        if (topics.has(t.topic)) continue;
        topics.set(t.topic, t.configs['cleanup.policy'] ?? 'delete');
        created = true;
      }
      return created;
    },
    topicConfigs: async (names) => {
      step('describeConfigs');
      return new Map(names.map((name) => [name, { 'cleanup.policy': topics.get(name) ?? 'delete' }]));
    },
    // `metadata` failures returning nothing play a broker that lists the topic without partitions.
    partitions: async () => {
      calls.fetchTopicMetadata = (calls.fetchTopicMetadata ?? 0) + 1;
      const next = failures.fetchTopicMetadata?.shift();
      if (next) {
        const error = next();
        if (error) throw error;
        return [];
      }
      return [{ partition: 0, leader: 1, errorCode: 0 }];
    },
    topicOffsets: async (topic) => {
      step('fetchTopicOffsets');
      if (!topics.has(topic)) throw unknownTopic();
      return [{ partition: 0, high: '0', low: '0' }];
    },
  });
  return { admin, calls, topics };
}

describe('isSettlingError', () => {
  it('knows the answers of a topic that is still settling, wrapped or not, and nothing else', () => {
    expect(isSettlingError(unknownTopic())).toBe(true);
    expect(isSettlingError(notLeader())).toBe(true);
    expect(isSettlingError(leaderNotAvailable())).toBe(true);
    // kafkajs wraps errors it stopped retrying; CreateTopics answers one error per topic.
    expect(
      isSettlingError(Object.assign(new Error('retries exceeded'), { originalError: notLeader() })),
    ).toBe(true);
    expect(
      isSettlingError(Object.assign(new Error('Topic creation errors'), { errors: [unknownTopic()] })),
    ).toBe(true);
    expect(
      isSettlingError(
        protocolError('POLICY_VIOLATION', 44, 'Request parameters do not satisfy the configured policy'),
      ),
    ).toBe(false);
    expect(isSettlingError(new Error('ECONNREFUSED'))).toBe(false);
  });

  it('knows a coordinator that is loading, not available or moved (codes 14, 15, 16)', () => {
    const loading = protocolError(
      'GROUP_LOAD_IN_PROGRESS',
      14,
      "The coordinator is loading and hence can't process requests for this group",
    );
    expect(isSettlingError(loading)).toBe(true);
    expect(
      isSettlingError(
        protocolError('GROUP_COORDINATOR_NOT_AVAILABLE', 15, 'The group coordinator is not available'),
      ),
    ).toBe(true);
    expect(
      isSettlingError(
        Object.assign(new Error('retries exceeded'), {
          originalError: protocolError(
            'NOT_COORDINATOR_FOR_GROUP',
            16,
            'This is not the correct coordinator',
          ),
        }),
      ),
    ).toBe(true);
  });

  it('waits out a loading coordinator with backoff, then answers', async () => {
    let calls = 0;
    const answer = await untilSettled(
      'initialising a producer',
      async () => {
        calls += 1;
        if (calls < 3) throw protocolError('GROUP_LOAD_IN_PROGRESS', 14, 'The coordinator is loading');
        return 'ready';
      },
      { policy: { attempts: 5, minDelayMs: 1, maxDelayMs: 2 } },
    );
    expect({ answer, calls }).toEqual({ answer: 'ready', calls: 3 });
  });
});

describe('ensureTopics while the new topics settle', () => {
  it('resolves only once the created topic answers ListOffsets, after "not the leader" answers', async () => {
    const broker = fakeBroker({ fetchTopicOffsets: [notLeader, leaderNotAvailable] });
    const created: string[] = [];
    const result = await ensureTopics(broker.admin, [spec('s._state')], {
      apply: true,
      settle: FAST,
      onCreated: (s) => created.push(s.topic),
    });
    expect(result).toEqual([{ topic: 's._state', action: 'created' }]);
    expect(created).toEqual(['s._state']);
    expect(broker.calls.fetchTopicOffsets).toBe(3);
  });

  it('waits while fresh metadata lists the new topic without partitions, then asks ListOffsets', async () => {
    const noPartitions = () => undefined;
    const broker = fakeBroker({ fetchTopicMetadata: [noPartitions, noPartitions, unknownTopic] });
    const result = await ensureTopics(broker.admin, [spec('s._state')], { apply: true, settle: FAST });
    expect(result).toEqual([{ topic: 's._state', action: 'created' }]);
    expect(broker.calls.fetchTopicMetadata).toBe(4);
    expect(broker.calls.fetchTopicOffsets).toBe(1);
  });

  it('fails naming the topic and the partitions without a leader once the tries are spent', async () => {
    const broker = fakeBroker({ fetchTopicMetadata: Array.from({ length: 10 }, () => () => undefined) });
    await expect(
      ensureTopics(broker.admin, [spec('s._state')], { apply: true, settle: FAST }),
    ).rejects.toMatchObject({
      code: 'TOPIC_ADMIN',
      message: expect.stringContaining(
        'topic "s._state" (state) was created but its partitions have no leader that answers',
      ),
    });
    expect(broker.calls.fetchTopicMetadata).toBe(FAST.attempts);
    expect(broker.calls.fetchTopicOffsets).toBeUndefined();
  });

  it('does not retry any other TypeError', async () => {
    const bug = () => new TypeError("Cannot read properties of undefined (reading 'x')");
    const broker = fakeBroker({ fetchTopicOffsets: [bug] });
    await expect(
      ensureTopics(broker.admin, [spec('s._state')], { apply: true, settle: FAST }),
    ).rejects.toMatchObject({ code: 'TOPIC_ADMIN', message: expect.stringContaining("reading 'x'") });
    expect(broker.calls.fetchTopicOffsets).toBe(1);
  });

  it('retries CreateTopics answered with "does not host this topic-partition"', async () => {
    const broker = fakeBroker({ createTopics: [unknownTopic] });
    const result = await ensureTopics(broker.admin, [spec('s._state')], { apply: true, settle: FAST });
    expect(result).toEqual([{ topic: 's._state', action: 'created' }]);
    expect(broker.calls.createTopics).toBe(2);
    expect(broker.topics.get('s._state')).toBe('compact');
  });

  it('retries describing a topic another process has just created', async () => {
    const broker = fakeBroker({ describeConfigs: [unknownTopic, unknownTopic] }, { 's._state': 'compact' });
    const result = await ensureTopics(broker.admin, [spec('s._state')], { apply: true, settle: FAST });
    expect(result).toEqual([{ topic: 's._state', action: 'exists' }]);
    expect(broker.calls.describeConfigs).toBe(3);
  });

  it('gives up after the bounded number of tries, naming the topics', async () => {
    const always = Array.from({ length: 20 }, () => unknownTopic);
    const broker = fakeBroker({ createTopics: always, listTopics: [] });
    await expect(
      ensureTopics(broker.admin, [spec('s._state')], { apply: true, settle: FAST }),
    ).rejects.toMatchObject({
      code: 'TOPIC_ADMIN',
      message: expect.stringMatching(
        /creating topics s\._state failed: .*does not host this topic-partition/,
      ),
    });
    expect(broker.calls.createTopics).toBe(FAST.attempts);
  });

  it('does not retry an answer that waiting cannot change', async () => {
    const broker = fakeBroker({
      createTopics: [
        () =>
          protocolError('POLICY_VIOLATION', 44, 'Request parameters do not satisfy the configured policy'),
      ],
    });
    await expect(
      ensureTopics(broker.admin, [spec('s._state')], { apply: true, settle: FAST }),
    ).rejects.toMatchObject({
      code: 'TOPIC_ADMIN',
      message: expect.stringContaining('configured policy'),
    });
    expect(broker.calls.createTopics).toBe(1);
  });

  it('checks the policy of a topic another process created between listing and creating', async () => {
    const broker = fakeBroker({
      // Listed as missing, then created elsewhere (with the wrong policy) before our CreateTopics,
      // which kafkajs then answers with `false` (every topic existed already).
      createTopics: [
        () => {
          broker.topics.set('s._state', 'delete');
          return undefined;
        },
      ],
    });
    await expect(
      ensureTopics(broker.admin, [spec('s._state')], { apply: true, settle: FAST }),
    ).rejects.toMatchObject({
      code: 'TOPIC_POLICY_CONFLICT',
      message: expect.stringContaining('cleanup.policy=delete, but needs cleanup.policy=compact'),
    });
  });
});

/** A tail of the compacted topic `s._state`, whose ListOffsets calls first meet `offsetAnswers`. */
function stateTail(offsetAnswers: CallScript[string]) {
  const broker = fakeBroker({ fetchTopicOffsets: offsetAnswers }, { 's._state': 'compact' });
  const tail = new TopicTail(portOn(broker.admin), 's._state', () => {}, {
    name: 't',
    brokers: ['b:1'],
    settle: FAST,
  });
  return { broker, tail };
}

describe('TopicTail on a fresh topic', () => {
  it('catches up after ListOffsets answered "not the leader"', async () => {
    const { broker, tail } = stateTail([notLeader, leaderNotAvailable, notLeader]);
    try {
      await expect(tail.catchUp(5000)).resolves.toBeUndefined();
      expect(broker.calls.fetchTopicOffsets).toBe(4);
    } finally {
      await tail.stop();
    }
  });

  it('fails with the broker answer once the bounded retries are spent', async () => {
    const { broker, tail } = stateTail(Array.from({ length: 10 }, () => notLeader));
    try {
      await expect(tail.catchUp(5000)).rejects.toThrow(/end offsets of s\._state .*not the leader/);
      expect(broker.calls.fetchTopicOffsets).toBe(FAST.attempts);
    } finally {
      await tail.stop();
    }
  });
});

/** A client whose readers start without a broker (the topics are empty). */
function portOn(admin: KafkaAdmin): KafkaPort {
  return {
    admin: async () => admin,
    logReader: () => ({ start: async () => {}, stop: async () => {} }),
  } as unknown as KafkaPort;
}
