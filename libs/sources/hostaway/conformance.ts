import type { RawEnvelope } from '@staysync/core';
import {
  CANCEL_WEBHOOK,
  LISTING,
  MESSAGE,
  MESSAGE_WEBHOOK,
  RESERVATION,
  listBody,
} from './src/__fixtures__/examples';

const ACCOUNT_ID = '10001';
const SCRAPE_DATE = '2025-07-03';

function envelope(operation: string, body: unknown, extra: Partial<RawEnvelope> = {}): RawEnvelope {
  return {
    schemaVersion: 1,
    jobId: null,
    source: 'hostaway',
    accountId: ACCOUNT_ID,
    operation,
    resourceId: null,
    requestKey: `hostaway:${ACCOUNT_ID}:${SCRAPE_DATE}:${operation}:-:0`,
    variables: { limit: 100, offset: 0 },
    window: null,
    scrapeDate: SCRAPE_DATE,
    fetchedAt: '2025-07-03T04:05:06.000Z',
    httpStatus: 200,
    body,
    ...extra,
  };
}

/**
 * The golden replay of the conformance suite (test/sources): a page of each resource and the webhook
 * deliveries, built from the reference's example payloads (./src/__fixtures__/examples).
 */
export function goldenEnvelopes(): RawEnvelope[] {
  const webhook = (key: string, body: unknown, fetchedAt: string) =>
    envelope('webhook', body, { requestKey: `hostaway:webhook:${key}`, variables: {}, fetchedAt });
  return [
    envelope('listings', listBody([LISTING])),
    envelope('reservations', listBody([RESERVATION])),
    envelope(
      'conversations',
      listBody([
        {
          id: MESSAGE.conversationId,
          reservationId: MESSAGE.reservationId,
          listingMapId: MESSAGE.listingMapId,
        },
      ]),
    ),
    envelope('messages', listBody([MESSAGE]), {
      resourceId: String(MESSAGE.conversationId),
      requestKey: `hostaway:${ACCOUNT_ID}:${SCRAPE_DATE}:messages:${MESSAGE.conversationId}:0`,
    }),
    webhook('cancel', CANCEL_WEBHOOK, '2025-07-03T05:00:00.000Z'),
    webhook('message', MESSAGE_WEBHOOK, '2025-07-03T05:01:00.000Z'),
  ];
}
