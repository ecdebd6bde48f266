import { AccountAuthError, FatalRequestError, TransientError } from '@staysync/core';
import { loadFixture, fixtureText, AIRBNB_FIXTURES } from '../fixtures/load';
import { classifyResponse, isAuthErrorBody } from './classify';
import {
  AIRBNB_HTTP_ERROR_MAPPING,
  AirbnbBlockedError,
  PersistedQueryGoneError,
  resolveHttpStatus,
} from './errors';

const AUTH_ERROR_BODY = {
  errors: [
    {
      message: 'Please login to continue.',
      extensions: {
        errorType: 'authentication_required',
        errorClass: 'ServiceApiAuthenticationError',
        response: { statusCode: 401 },
      },
    },
  ],
  data: { porygon: { getPerformanceComponents: null } },
};

const NOW = Date.parse('2025-07-16T05:00:00Z');
const okBody = fixtureText(AIRBNB_FIXTURES.listOfMetricsConversionRate);

describe('resolveHttpStatus — the error-mapping table', () => {
  it.each([
    [200, null],
    [204, null],
    [400, 'fatal'],
    [401, 'account'],
    [403, 'account'],
    [404, 'fatal'],
    [405, 'fatal'],
    [408, 'transient'],
    [418, 'fatal'],
    [422, 'fatal'],
    [429, 'transient'],
    [500, 'transient'],
    [502, 'transient'],
    [503, 'transient'],
    [504, 'transient'],
    [520, 'transient'],
    [302, 'transient'],
  ])('%i → %s', (status, kind) => {
    expect(resolveHttpStatus(status)?.kind ?? null).toBe(kind);
  });

  it('lists 401 as an account error and 429/5xx as transient', () => {
    expect(Object.entries(AIRBNB_HTTP_ERROR_MAPPING).map(([status, r]) => `${status}:${r.kind}`)).toEqual(
      expect.arrayContaining([
        '401:account',
        '429:transient',
        '500:transient',
        '502:transient',
        '503:transient',
        '504:transient',
      ]),
    );
  });
});

describe('classifyResponse', () => {
  const ERROR_CLASSES = { account: AccountAuthError, transient: TransientError, fatal: FatalRequestError };

  it.each([
    ['401', 'account', 401, {}, ''],
    ['403 with a JSON body', 'account', 403, {}, '{"error":"forbidden"}'],
    ['403 with an HTML body (edge block)', 'fatal', 403, {}, '<html>Access Denied</html>'],
    ['429', 'transient', 429, {}, ''],
    ['500', 'transient', 500, {}, '{}'],
    ['502', 'transient', 502, {}, ''],
    ['503', 'transient', 503, {}, ''],
    ['504', 'transient', 504, {}, ''],
    ['400', 'fatal', 400, {}, '{"errors":[{"message":"bad"}]}'],
    ['404', 'fatal', 404, {}, ''],
    ['auth body on HTTP 200', 'account', 200, {}, JSON.stringify(AUTH_ERROR_BODY)],
    ['auth body on HTTP 400', 'account', 400, {}, JSON.stringify(AUTH_ERROR_BODY)],
    [
      'null getPerformanceComponents without errors',
      'account',
      200,
      {},
      '{"data":{"porygon":{"getPerformanceComponents":null}}}',
    ],
    ['redirect to login', 'account', 302, { location: 'https://www.airbnb.com/login?redirect_url=x' }, ''],
    ['other redirect', 'transient', 301, { location: 'https://www.airbnb.com/hosting' }, ''],
    ['non-JSON 200 (a proxy or bot page: edge block)', 'fatal', 200, {}, '<html>Too many requests</html>'],
    ['JSON 200 that is not an object', 'transient', 200, {}, '[]'],
    ['200 without top-level data', 'transient', 200, {}, '{"errors":[{"message":"boom"}]}'],
    ['200 with data null', 'transient', 200, {}, '{"data":null,"errors":[{"message":"boom"}]}'],
  ] as const)('%s → %s', (_name, kind, status, headers, bodyText) => {
    const result = classifyResponse(status, headers, bodyText, { now: NOW });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe(kind);
    expect(result.error).toBeInstanceOf(ERROR_CLASSES[kind]);
  });

  it.each([
    ['403 with an HTML body', 403, '<html>Access Denied</html>', AirbnbBlockedError],
    ['an HTML 200', 200, '<html>Access Denied</html>', AirbnbBlockedError],
    ['a 200 without data', 200, '{"errors":[{"message":"boom"}]}', PersistedQueryGoneError],
    ['a 200 with data null', 200, '{"data":null}', PersistedQueryGoneError],
    [
      'PersistedQueryNotFound on 400',
      400,
      '{"errors":[{"message":"PersistedQueryNotFound"}]}',
      PersistedQueryGoneError,
    ],
    ['404', 404, '', PersistedQueryGoneError],
    ['other 400', 400, '{"errors":[{"message":"bad"}]}', FatalRequestError],
  ] as const)('with the query known: %s → %p', (_name, status, bodyText, errorClass) => {
    const result = classifyResponse(status, {}, bodyText, {
      now: NOW,
      query: { operation: 'ListOfMetricsQuery', hash: 'b'.repeat(64) },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.constructor).toBe(errorClass);
  });

  it('accepts a 200 with a data object and returns the parsed body', () => {
    const result = classifyResponse(200, { 'content-type': 'application/json' }, okBody);
    expect(result).toEqual({ ok: true, body: loadFixture(AIRBNB_FIXTURES.listOfMetricsConversionRate) });
  });

  it('accepts a missing getPerformanceComponents (only an explicit null is an auth failure)', () => {
    expect(classifyResponse(200, {}, '{"data":{"porygon":{}}}').ok).toBe(true);
  });

  it.each([
    ['120', 120_000],
    ['Wed, 16 Jul 2025 05:00:30 GMT', 30_000],
    ['Wed, 16 Jul 2025 04:00:00 GMT', 0],
    ['soon', undefined],
  ])('429 with Retry-After %j → retryAfterMs %p', (retryAfter, expected) => {
    const result = classifyResponse(429, { 'Retry-After': retryAfter }, '', { now: NOW });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.retryAfterMs).toBe(expected);
  });

  it('carries status, caller context and GraphQL error summaries, never the body', () => {
    const result = classifyResponse(200, {}, JSON.stringify(AUTH_ERROR_BODY), {
      context: { operation: 'ChartQuery' },
    });
    if (result.ok) throw new Error('expected an error');
    expect(result.error.context).toEqual({
      operation: 'ChartQuery',
      status: 200,
      graphqlErrors: [
        {
          message: 'Please login to continue.',
          errorType: 'authentication_required',
          errorClass: 'ServiceApiAuthenticationError',
        },
      ],
    });
    expect(result.error.retriable).toBe(false);
  });
});

describe('isAuthErrorBody', () => {
  it.each([
    ['the reference auth body', AUTH_ERROR_BODY, true],
    [
      'errorType alone with data null',
      { errors: [{ extensions: { errorType: 'authentication_required' } }], data: null },
      true,
    ],
    [
      'explicit null getPerformanceComponents',
      { data: { porygon: { getPerformanceComponents: null } } },
      true,
    ],
    ['missing getPerformanceComponents', { data: { porygon: {} } }, false],
    ['data null without errors', { data: null }, false],
    ['other GraphQL error', { errors: [{ message: 'x', extensions: { errorType: 'internal' } }] }, false],
    ['a good response', loadFixture(AIRBNB_FIXTURES.chartP3Impressions), false],
    ['not an object', 'authentication_required', false],
    ['errors not an array', { errors: { extensions: { errorType: 'authentication_required' } } }, false],
  ])('%s', (_name, body, expected) => {
    expect(isAuthErrorBody(body)).toBe(expected);
  });
});
