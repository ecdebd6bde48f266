import { syncEventSchema } from '@staysync/contracts';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { waitFor } from '../harness';
import { readTopic, startHostawayStack, type HostawayStack } from './stack';

const ACCOUNT = 10001;
const SECRET = 'hostaway-client-secret-0123456789';

/** Issue 15 item 4: a full sync's job events on sync.events.v1, keyed by job id, in order, schema-valid. */
describe('Hostaway > sync.events.v1 of a full sync', () => {
  let stack: HostawayStack;

  beforeAll(async () => {
    stack = await startHostawayStack({
      accounts: [
        {
          accountId: ACCOUNT,
          clientSecret: SECRET,
          listings: 2,
          reservationsPerListing: 2,
          messagesPerConversation: 2,
        },
      ],
    });
  });
  afterAll(async () => stack?.close());

  it('queued → started → one resource.finished per resource (with counts) → finished, in order', async () => {
    const job = await stack.createAccount({ account_id: ACCOUNT, client_secret: SECRET });
    expect(job).toMatchObject({ status: 'succeeded' });
    const jobId = job.id;

    const events = await waitFor(
      async () => {
        const records = (await readTopic(stack.prefix, 'sync.events.v1')).filter((r) => r.key === jobId);
        return records.some((r) => JSON.parse(r.value).type === 'job.finished') ? records : null;
      },
      { what: 'job.finished on sync.events.v1', timeoutMs: 30_000 },
    );
    const values = events.map((r) => JSON.parse(r.value));
    const validate = addFormats(new Ajv()).compile(syncEventSchema);
    for (const value of values) expect(validate(value)).toBe(true);
    expect(new Set(events.map((r) => r.partition)).size).toBe(1);
    expect(
      values.every((v) => v.jobId === jobId && v.source === 'hostaway' && v.accountId === String(ACCOUNT)),
    ).toBe(true);

    expect(values.map((v) => [v.type, v.data])).toEqual([
      ['job.queued', { mode: 'full', trigger: 'startup' }],
      [
        'job.started',
        { mode: 'full', trigger: 'startup', scrapeDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) },
      ],
      ['resource.finished', { resourceId: 'conversations', planned: 1, fetched: 1, failed: 0 }],
      ['resource.finished', { resourceId: 'listings', planned: 1, fetched: 1, failed: 0 }],
      ['resource.finished', { resourceId: 'messages', planned: 4, fetched: 4, failed: 0 }],
      ['resource.finished', { resourceId: 'reservations', planned: 1, fetched: 1, failed: 0 }],
      [
        'job.finished',
        {
          status: 'succeeded',
          planned: 7,
          fetched: 7,
          loaded: 7,
          failed: 0,
          deadLettered: 0,
          durationMs: expect.any(Number),
          errorCode: null,
          error: null,
        },
      ],
    ]);
    process.stdout.write(`sync.events.v1 of job ${jobId}:\n${events.map((r) => r.value).join('\n')}\n`);
  });
});
