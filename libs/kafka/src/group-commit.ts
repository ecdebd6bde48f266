import type { TopicId } from '@staysync/contracts';
import type { BatchHandler, BatchResult, DecodedMessage } from './consumer';

interface Waiting<T extends TopicId> {
  messages: DecodedMessage<T>[];
  resolve(result: BatchResult<T>): void;
  reject(error: unknown): void;
}

/**
 * Group commit for a consumer that handles several partitions at once: while one handler call is in
 * flight, the batches of the other partitions wait, and when it ends they are handled together in one
 * call (one database transaction instead of one per partition). Each batch gets back only its own
 * dead letters; if the joint call throws, every batch in it is redelivered, as a lone batch would be.
 *
 * Batches on the mock broker (one record batch per fetch) and from producers sending small sends are
 * small; per-transaction costs then dominate, and this is what amortizes them.
 */
export function groupCommit<T extends TopicId>(handler: BatchHandler<T>, options: { maxMessages?: number } = {}): BatchHandler<T> {
  const maxMessages = options.maxMessages ?? 2000;
  const waiting: Waiting<T>[] = [];
  let running: Promise<void> | null = null;

  const drain = async (): Promise<void> => {
    while (waiting.length > 0) {
      const group: Waiting<T>[] = [];
      let size = 0;
      while (waiting.length > 0 && (group.length === 0 || size + waiting[0].messages.length <= maxMessages)) {
        const next = waiting.shift()!;
        group.push(next);
        size += next.messages.length;
      }
      try {
        const result = await handler(group.flatMap((w) => w.messages));
        const poison = result?.dlq ?? [];
        for (const member of group) {
          const own = new Set(member.messages);
          member.resolve({ dlq: poison.filter((p) => own.has(p.message)) });
        }
      } catch (error) {
        for (const member of group) member.reject(error);
      }
    }
  };

  return (messages) =>
    new Promise<BatchResult<T>>((resolve, reject) => {
      waiting.push({ messages, resolve, reject });
      if (!running) {
        // let batches handed over in the same tick join the first call
        running = Promise.resolve()
          .then(drain)
          .finally(() => {
            running = null;
          });
      }
    });
}

