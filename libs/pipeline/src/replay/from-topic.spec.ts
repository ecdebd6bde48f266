import { partitionPlan } from './from-topic';

describe('Replay > from topic > partitionPlan', () => {
  it("starts at a real broker's offset for the start time", () => {
    expect(partitionPlan(3, 10n, 50n, 42n, true)).toEqual({
      partition: 3,
      start: 42n,
      end: 50n,
      startedFrom: 'timestamp',
    });
    expect(partitionPlan(3, 10n, 50n, 10n, true)).toEqual({
      partition: 3,
      start: 10n,
      end: 50n,
      startedFrom: 'timestamp',
    });
    // no record at or after the start time: nothing to replay in this partition
    expect(partitionPlan(3, 10n, 50n, 50n, true)).toEqual({
      partition: 3,
      start: 50n,
      end: 50n,
      startedFrom: 'timestamp',
    });
  });

  it('scans from the earliest offset where the answer cannot be used', () => {
    // librdkafka's mock answers the end offset for any timestamp
    expect(partitionPlan(0, 10n, 50n, 50n, false)).toEqual({
      partition: 0,
      start: 10n,
      end: 50n,
      startedFrom: 'earliest',
    });
    expect(partitionPlan(0, 10n, 50n, 42n, false)).toEqual({
      partition: 0,
      start: 10n,
      end: 50n,
      startedFrom: 'earliest',
    });
    expect(partitionPlan(0, 10n, 50n, -1n, true)).toEqual({
      partition: 0,
      start: 10n,
      end: 50n,
      startedFrom: 'earliest',
    });
    expect(partitionPlan(0, 10n, 50n, undefined, true)).toEqual({
      partition: 0,
      start: 10n,
      end: 50n,
      startedFrom: 'earliest',
    });
    // before the earliest retained offset (deleted by retention): scan what is left
    expect(partitionPlan(0, 10n, 50n, 4n, true)).toEqual({
      partition: 0,
      start: 10n,
      end: 50n,
      startedFrom: 'earliest',
    });
  });
});
