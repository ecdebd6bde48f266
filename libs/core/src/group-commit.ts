interface Waiting<T, R> {
  item: T;
  size: number;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export interface GroupCommitOptions<T> {
  /** a group stops growing at this total size (a single larger item still goes alone); default 5000 */
  maxSize?: number;
  /** an item's size; default 1 */
  sizeOf?: (item: T) => number;
}

/**
 * Group commit, as databases do it for their log: while one write is in flight, the items handed in
 * wait, and when it ends they are written together by the next call (one transaction instead of one
 * each). A caller's promise settles with the write that carried its item: resolves with its result
 * (the same for every item of the group), or rejects with its error, which every item of the group gets.
 *
 * Per-write costs (round trips, statement overhead, the commit's log flush) are then paid once per
 * group, and groups grow by themselves while the database is the bottleneck.
 */
export function groupCommit<T, R = void>(
  write: (items: T[]) => Promise<R>,
  options: GroupCommitOptions<T> = {},
): (item: T) => Promise<R> {
  const maxSize = options.maxSize ?? 5000;
  const sizeOf = options.sizeOf ?? (() => 1);
  const waiting: Waiting<T, R>[] = [];
  let draining = false;

  const drain = async (): Promise<void> => {
    while (waiting.length > 0) {
      const group: Waiting<T, R>[] = [];
      let size = 0;
      while (waiting.length > 0 && (group.length === 0 || size + waiting[0].size <= maxSize)) {
        const next = waiting.shift()!;
        group.push(next);
        size += next.size;
      }
      try {
        const result = await write(group.map((w) => w.item));
        for (const member of group) member.resolve(result);
      } catch (error) {
        for (const member of group) member.reject(error);
      }
    }
    // in the same synchronous step as the last check: an item handed in later starts a new drain
    draining = false;
  };

  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, size: sizeOf(item), resolve, reject });
      if (!draining) {
        draining = true;
        // let items handed over in the same tick join the first write
        void Promise.resolve().then(drain);
      }
    });
}
