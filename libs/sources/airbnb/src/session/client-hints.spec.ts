import { clientHintsFor } from './client-hints';

describe('clientHintsFor', () => {
  it("Chrome 141 on macOS → the reference's headers", () => {
    expect(
      clientHintsFor(
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36',
      ),
    ).toEqual({
      'sec-ch-ua': '"Google Chrome";v="141", "Not?A_Brand";v="8", "Chromium";v="141"',
      'sec-ch-ua-mobile': '?0',
      'sec-ch-ua-platform': '"macOS"',
      'sec-ch-ua-platform-version': '"15.6.0"',
      'sec-ch-device-memory': '8',
      'sec-ch-dpr': '2',
      'sec-ch-viewport-width': '1512',
    });
  });

  it('Chrome 139 on Windows → its own version, brand GREASE and platform', () => {
    const hints = clientHintsFor(
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/139.0.0.0 Safari/537.36',
    );
    expect(hints['sec-ch-ua']).toBe('"Google Chrome";v="139", "Not;A=Brand";v="99", "Chromium";v="139"');
    expect(hints['sec-ch-ua-platform']).toBe('"Windows"');
  });

  it('Chrome on Android → mobile, Android with its version', () => {
    const hints = clientHintsFor(
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36',
    );
    expect(hints).toMatchObject({
      'sec-ch-ua-mobile': '?1',
      'sec-ch-ua-platform': '"Android"',
      'sec-ch-ua-platform-version': '"14.0.0"',
    });
  });

  it.each([
    ['Firefox', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.6; rv:131.0) Gecko/20100101 Firefox/131.0'],
    [
      'Safari',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15',
    ],
    [
      'Chrome on iOS',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/129.0.6668.69 Mobile/15E148 Safari/604.1',
    ],
  ])('%s sends no Client Hints', (_browser, ua) => {
    expect(clientHintsFor(ua)).toEqual({});
  });
});
