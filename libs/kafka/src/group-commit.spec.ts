import type { DecodedMessage } from './consumer';
import { groupCommit } from './group-commit';

const message = (partition: number, offset: number) =>
  ({ topicId: 'raw.airbnb', topic: 'raw.airbnb.v1', partition, offset: String(offset), key: null, value: {}, headers: {}, timestamp: '0' }) as unknown as DecodedMessage<'raw.airbnb'>;

describe('groupCommit', () => {
  it('handles the batches that arrive while a call is in flight together, and gives each batch its own dead letters', async () => {
    const calls: string[][] = [];
    let release!: () => void;
    const firstCallBlocked = new Promise<void>((resolve) => (release = resolve));
    const handler = groupCommit<'raw.airbnb'>(async (messages) => {
      calls.push(messages.map((m) => `${m.partition}:${m.offset}`));
      if (calls.length === 1) await firstCallBlocked;
      return { dlq: messages.filter((m) => m.offset === '2').map((m) => ({ message: m, error: new Error('bad'), stage: 'parse' as const })) };
    });

    const p0 = [message(0, 1), message(0, 2)];
    const first = handler(p0);
    await Promise.resolve();
    const p1 = [message(1, 1)];
    const p2 = [message(2, 2), message(2, 3)];
    const later = [handler(p1), handler(p2)];
    release();

    expect(((await first) as { dlq: Array<{ message: unknown }> }).dlq.map((d) => d.message)).toEqual([p0[1]]);
    const [r1, r2] = (await Promise.all(later)) as Array<{ dlq: Array<{ message: unknown }> }>;
    expect(r1.dlq).toEqual([]);
    expect(r2.dlq.map((d) => d.message)).toEqual([p2[0]]);
    expect(calls).toEqual([['0:1', '0:2'], ['1:1', '2:2', '2:3']]);
  });

  it('fails every batch of a failed call (each is redelivered) and carries on with the next group', async () => {
    let fail = true;
    const handler = groupCommit<'raw.airbnb'>(async () => {
      if (fail) throw new Error('database down');
      return {};
    });
    const failing = [handler([message(0, 1)]), handler([message(1, 1)])];
    await expect(Promise.all(failing)).rejects.toThrow('database down');
    await expect(failing[1]).rejects.toThrow('database down');
    fail = false;
    await expect(handler([message(0, 1)])).resolves.toEqual({ dlq: [] });
  });

  it('keeps a group within maxMessages', async () => {
    const sizes: number[] = [];
    const handler = groupCommit<'raw.airbnb'>(
      async (messages) => {
        sizes.push(messages.length);
        return {};
      },
      { maxMessages: 3 },
    );
    await Promise.all([handler([message(0, 1), message(0, 2)]), handler([message(1, 1), message(1, 2)]), handler([message(2, 1)])]);
    expect(sizes).toEqual([2, 3]);
  });
});
