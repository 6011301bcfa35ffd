/**
 * Broker answers a settling cluster gives (and some it refuses with), shaped as the adapters report
 * them (`{ type, code, retriable }`, see broker-errors.ts), for fakes of the port or of a client.
 */
import { brokerAnswer } from './fake-kafka.js';

/** A retriable answer, unless the caller's code treats `type` as permanent (POLICY_VIOLATION...). */
export function protocolError(type: string, code: number, message: string): Error {
  return brokerAnswer(type, code, true, message);
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
