import { groupCommit } from './group-commit';

describe('groupCommit', () => {
  it('writes the items that arrive while a write is in flight together, in arrival order', async () => {
    const writes: string[][] = [];
    let release!: () => void;
    const firstWriteBlocked = new Promise<void>((resolve) => (release = resolve));
    const write = groupCommit<string>(async (items) => {
      writes.push(items);
      if (writes.length === 1) await firstWriteBlocked;
    });

    const first = write('a');
    await Promise.resolve();
    const later = [write('b'), write('c'), write('d')];
    release();

    await first;
    await Promise.all(later);
    expect(writes).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('gives every item of a group the result of its write', async () => {
    let writes = 0;
    const write = groupCommit<string, number>(async () => ++writes);
    expect(await Promise.all([write('a'), write('b')])).toEqual([1, 1]);
    expect(await write('c')).toBe(2);
  });

  it('lets items handed over in the same tick join the first write', async () => {
    const writes: number[][] = [];
    const write = groupCommit<number>(async (items) => void writes.push(items));
    await Promise.all([write(1), write(2), write(3)]);
    expect(writes).toEqual([[1, 2, 3]]);
  });

  it('rejects every item of a failed write with its error and carries on with the next group', async () => {
    let fail = true;
    const write = groupCommit<number>(async () => {
      if (fail) throw new Error('database down');
    });
    const failing = [write(1), write(2)];
    await expect(failing[0]).rejects.toThrow('database down');
    await expect(failing[1]).rejects.toThrow('database down');
    fail = false;
    await expect(write(3)).resolves.toBeUndefined();
  });

  it('keeps a group within maxSize, measured by sizeOf; an oversized item goes alone', async () => {
    const sizes: number[][] = [];
    const write = groupCommit<number[]>(async (items) => void sizes.push(items.map((i) => i.length)), {
      maxSize: 3,
      sizeOf: (item) => item.length,
    });
    await Promise.all([write([1, 2]), write([1]), write([1, 2]), write([1, 2, 3, 4]), write([1])]);
    expect(sizes).toEqual([[2, 1], [2], [4], [1]]);
  });
});
