/**
 * kafkajs protocol errors as a broker sends them, for fakes that play a cluster whose topics are
 * still settling (or refusing a request).
 */
import kafkajs from 'kafkajs';

export function protocolError(type: string, code: number, message: string): Error {
  const Ctor = kafkajs.KafkaJSProtocolError as unknown as new (e: object) => Error;
  return new Ctor({ type, code, message, retriable: true });
}

export const unknownTopic = (): Error =>
  protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3, 'This server does not host this topic-partition');

export const notLeader = (): Error =>
  protocolError('NOT_LEADER_FOR_PARTITION', 6, 'This server is not the leader for that topic-partition');

export const leaderNotAvailable = (): Error =>
  protocolError(
    'LEADER_NOT_AVAILABLE',
    5,
    'There is no leader for this topic-partition as we are in the middle of a leadership election',
  );
