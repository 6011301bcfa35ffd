/** Test support: the Kafka port in memory (`@siphon/sink-kafka/testing`), and broker answers for fakes. */
export { leaderNotAvailable, notLeader, protocolError, unknownTopic } from './testing/broker-answers.js';
export { brokerAnswer, FakeKafka, type FakeOperation } from './testing/fake-kafka.js';
export { type CallScript, scriptedAdmin, scriptedCalls } from './testing/scripted-admin.js';
