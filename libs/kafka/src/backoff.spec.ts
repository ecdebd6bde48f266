import { backoffDelay, PartitionRetries } from './backoff';

describe('Kafka > consumer backoff', () => {
  const options = { initialMs: 100, maxMs: 1_000 };
  const noJitter = () => 0.5;

  it('doubles per attempt up to the cap', () => {
    expect([1, 2, 3, 4, 5, 20].map((attempt) => backoffDelay(attempt, options, 0, noJitter))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it('jitters by at most 20 % and never waits less than a retry-after', () => {
    expect(backoffDelay(1, options, 0, () => 0)).toBe(80);
    expect(backoffDelay(1, options, 0, () => 1)).toBe(120);
    expect(backoffDelay(1, options, 5_000, noJitter)).toBe(5_000);
  });

  it('counts attempts per partition and starts over after a success', () => {
    const retries = new PartitionRetries(options);
    expect(retries.failed('t:0').attempt).toBe(1);
    expect(retries.failed('t:0').attempt).toBe(2);
    expect(retries.failed('t:1').attempt).toBe(1);
    retries.succeeded('t:0');
    expect(retries.failed('t:0').attempt).toBe(1);
  });

  it('resumes after the delay unless cancelled', () => {
    jest.useFakeTimers();
    try {
      const retries = new PartitionRetries(options);
      const resumeA = jest.fn();
      const resumeB = jest.fn();
      retries.schedule('t:0', 100, resumeA);
      retries.schedule('t:1', 100, resumeB);
      jest.advanceTimersByTime(100);
      expect(resumeA).toHaveBeenCalledTimes(1);
      retries.schedule('t:1', 100, resumeB);
      retries.cancelAll();
      jest.advanceTimersByTime(1_000);
      expect(resumeB).toHaveBeenCalledTimes(1);
    } finally {
      jest.useRealTimers();
    }
  });
});
