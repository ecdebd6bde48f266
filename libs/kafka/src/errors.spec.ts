import { KafkaJSError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { TransientError } from '@staysync/core';
import { brokerTrouble } from './errors';

describe('Kafka > brokerTrouble', () => {
  it('makes a retriable broker answer transient, saying what failed', () => {
    // as kafkajs builds it from the broker's error code 6 (NOT_LEADER_OR_FOLLOWER)
    const notLeader = new KafkaJSProtocolError(
      Object.assign(new Error('This server is not the leader for that topic-partition'), {
        type: 'NOT_LEADER_FOR_PARTITION',
        code: 6,
        retriable: true,
      }),
    );
    const error = brokerTrouble(notLeader, "reading raw.airbnb.v1's offsets");
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toBe(
      "reading raw.airbnb.v1's offsets failed: This server is not the leader for that topic-partition",
    );
    expect((error as Error).cause).toBe(notLeader);
  });

  it('makes kafkajs giving up after its retries transient', () => {
    const exhausted = new KafkaJSNumberOfRetriesExceeded(new Error('Connection timeout'), {
      retryCount: 5,
      retryTime: 1000,
    });
    expect(brokerTrouble(exhausted, 'producing to dlq.v1')).toBeInstanceOf(TransientError);
  });

  it('passes a non-retriable kafkajs error and any other error through unchanged', () => {
    const unknownTopic = new KafkaJSError('Topic authorization failed', { retriable: false });
    const bug = new TypeError('x is undefined');
    expect(brokerTrouble(unknownTopic, 'producing to x')).toBe(unknownTopic);
    expect(brokerTrouble(bug, 'producing to x')).toBe(bug);
  });
});
