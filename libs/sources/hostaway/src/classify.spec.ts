import { AccountAuthError, FatalRequestError, TransientError } from '@staysync/core';
import { classifyListResponse, classifyTokenResponse } from './classify';

/**
 * Replies Hostaway's API does not send by its reference, but a proxy or a broken upstream could;
 * the simulator answers by the reference, so these are classified here from their bytes.
 */
describe('classifying malformed Hostaway replies', () => {
  const TOKEN = 'eyJ.TOKEN-VALUE.sig';
  const list = (status: number, body: string) =>
    classifyListResponse(status, {}, body, TOKEN, { operation: 'listings', secrets: [TOKEN] });
  const token = (status: number, body: string) =>
    classifyTokenResponse(status, {}, body, { operation: 'accessTokens', secrets: ['S3CRET'] });
  const error = (classified: { ok: true } | { ok: false; error: Error }) => {
    if (classified.ok) throw new Error('expected a failure');
    return classified.error;
  };

  it('a 2xx token reply without access_token is an account failure', () => {
    const failure = error(token(200, JSON.stringify({ token_type: 'Bearer', expires_in: 1 })));
    expect(failure).toBeInstanceOf(AccountAuthError);
    expect(failure.message).toBe('Hostaway issued no access token');
  });

  it('a proxy page from the token endpoint is transient, whatever its status', () => {
    const gateway = error(token(502, '<html>bad gateway</html>'));
    expect(gateway).toBeInstanceOf(TransientError);
    expect(gateway.message).toBe('Hostaway answered accessTokens with HTTP 502');
    const page = error(token(200, '<html>maintenance</html>'));
    expect(page).toBeInstanceOf(TransientError);
    expect(page.message).toBe('Hostaway answered the token request with a non-JSON body');
  });

  it('a 2xx list reply with status fail, or without a result array, is fatal; a proxy page is transient', () => {
    const fail = error(list(200, JSON.stringify({ status: 'fail', result: 'Unknown parameter' })));
    expect(fail).toBeInstanceOf(FatalRequestError);
    expect(fail.message).toBe('Hostaway failed listings: Unknown parameter');
    const noResult = error(list(200, JSON.stringify({ status: 'success' })));
    expect(noResult).toBeInstanceOf(FatalRequestError);
    expect(noResult.message).toBe('Hostaway answered listings without a result array');
    const page = error(list(200, '<html>maintenance</html>'));
    expect(page).toBeInstanceOf(TransientError);
    expect(page.message).toBe('Hostaway answered listings with a non-JSON body');
  });
});
