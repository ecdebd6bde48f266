/**
 * User-Agent Client Hints (`Sec-CH-UA*`) as the account's own browser would send them. Only Chromium
 * browsers send them: for Firefox or Safari user agents none are sent, as those browsers do not.
 * Hints the UA cannot tell (memory, DPR, viewport) keep the reference's desktop values.
 */
export type ClientHints = Readonly<Record<string, string>>;

interface Brand {
  brand: string;
  major: string;
}

const DESKTOP_DEVICE_HINTS = {
  'sec-ch-device-memory': '8',
  'sec-ch-dpr': '2',
  'sec-ch-viewport-width': '1512',
} as const;

/** Chromium's GREASE brand for a given major version (the same rotation Chrome uses). */
function greaseBrand(major: number): Brand {
  const chars = [' ', '(', ':', '-', '.', '/', ')', ';', '=', '?', '_'];
  const versions = ['8', '99', '24'];
  const name = `Not${chars[major % chars.length]}A${chars[(major + 1) % chars.length]}Brand`;
  return { brand: name, major: versions[major % versions.length] };
}

function platformOf(userAgent: string): { platform: string; version: string; mobile: boolean } {
  if (/Android/i.test(userAgent)) {
    const version = /Android (\d+(?:\.\d+)*)/i.exec(userAgent)?.[1] ?? '';
    return { platform: 'Android', version: padVersion(version), mobile: /Mobile/i.test(userAgent) };
  }
  if (/Windows NT/i.test(userAgent)) return { platform: 'Windows', version: '10.0.0', mobile: false };
  if (/CrOS/i.test(userAgent)) return { platform: 'Chrome OS', version: '', mobile: false };
  if (/Mac OS X/i.test(userAgent)) {
    // Chromium freezes the UA's macOS version at 10_15_7; the real one only shows in the hint, which we cannot know.
    return { platform: 'macOS', version: '15.6.0', mobile: false };
  }
  if (/Linux/i.test(userAgent)) return { platform: 'Linux', version: '', mobile: false };
  return { platform: 'Unknown', version: '', mobile: false };
}

function padVersion(version: string): string {
  if (version === '') return '';
  const parts = version.split('.');
  while (parts.length < 3) parts.push('0');
  return parts.slice(0, 3).join('.');
}

/** The hints of the browser in `userAgent`; `{}` for a browser that does not send Client Hints. */
export function clientHintsFor(userAgent: string): ClientHints {
  if (/Firefox\/|FxiOS\//.test(userAgent)) return {};
  const chrome = /(?:Chrome|CriOS)\/(\d+)/.exec(userAgent);
  if (!chrome || /CriOS\//.test(userAgent)) return {}; // Safari, and Chrome on iOS (WebKit), send none
  const major = Number(chrome[1]);
  const edge = /Edg\/(\d+)/.exec(userAgent);
  const brands: Brand[] = [
    edge ? { brand: 'Microsoft Edge', major: edge[1] } : { brand: 'Google Chrome', major: String(major) },
    greaseBrand(major),
    { brand: 'Chromium', major: String(major) },
  ];
  const { platform, version, mobile } = platformOf(userAgent);
  return {
    'sec-ch-ua': brands.map((b) => `"${b.brand}";v="${b.major}"`).join(', '),
    'sec-ch-ua-mobile': mobile ? '?1' : '?0',
    'sec-ch-ua-platform': `"${platform}"`,
    ...(version ? { 'sec-ch-ua-platform-version': `"${version}"` } : {}),
    ...DESKTOP_DEVICE_HINTS,
  };
}
