import { randomBytes } from 'node:crypto';
import { CredentialCipher } from './credential-cipher';
import {
  isSealedValue,
  maskSealedValues,
  MASKED_VALUE,
  openSensitiveValue,
  resealValues,
  sealSensitiveFields,
  sensitiveFieldsFrom,
} from './sensitive-fields';

const key = (id: string) => ({ id, key: randomBytes(32) });
const FIELDS = sensitiveFieldsFrom(
  ['wifiUsername', 'wifiPassword', 'doorSecurityCode'],
  'password|secret|doorCode|lockbox',
);

const listing = {
  id: 100201,
  name: 'Test Cottage',
  wifiUsername: 'Guest-AB12',
  wifiPassword: 'p4ssw0rd-wifi',
  doorSecurityCode: '4821',
  lockboxCode: 7731,
  specialInstruction: null,
  listingAmenities: [{ id: 1, amenityName: 'Internet' }],
  reservation: { id: 5000001, doorCode: '9090', guestName: 'Jane Doe' },
  photos: [{ caption: 'hall', adminPassword: 'nested-in-array' }],
};

describe('Crypto > sensitive fields', () => {
  const cipher = new CredentialCipher([key('k1')]);

  it('seals the listed keys and the pattern matches at any depth, keeps nulls and everything else', () => {
    const sealed = sealSensitiveFields(listing, FIELDS, cipher);
    expect(Object.keys(sealed)).toEqual(Object.keys(listing));
    for (const value of [
      sealed.wifiUsername,
      sealed.wifiPassword,
      sealed.doorSecurityCode,
      sealed.lockboxCode,
      sealed.reservation.doorCode,
      sealed.photos[0].adminPassword,
    ]) {
      expect(isSealedValue(value)).toBe(true);
      expect(value).toMatch(/^v1:k1:/);
    }
    expect(sealed).toMatchObject({
      id: 100201,
      name: 'Test Cottage',
      specialInstruction: null,
      reservation: { id: 5000001, guestName: 'Jane Doe' },
      photos: [{ caption: 'hall' }],
    });
    expect(sealed.listingAmenities).toEqual(listing.listingAmenities);
    const text = JSON.stringify(sealed);
    for (const secret of ['Guest-AB12', 'p4ssw0rd-wifi', '"4821"', '7731', '9090', 'nested-in-array'])
      expect(text).not.toContain(secret);
    // the input is left alone
    expect(listing.wifiPassword).toBe('p4ssw0rd-wifi');
  });

  it('opens to the original JSON value, type included', () => {
    const sealed = sealSensitiveFields(listing, FIELDS, cipher);
    expect(openSensitiveValue(sealed.doorSecurityCode, cipher)).toBe('4821');
    expect(openSensitiveValue(sealed.lockboxCode as unknown as string, cipher)).toBe(7731);
  });

  it('is deterministic per key and value (an unchanged payload stays byte-identical), and idempotent', () => {
    const once = sealSensitiveFields(listing, FIELDS, cipher);
    expect(sealSensitiveFields(listing, FIELDS, cipher)).toEqual(once);
    expect(sealSensitiveFields(once, FIELDS, cipher)).toEqual(once);
    // same value under another key name seals differently; another key differs altogether
    expect(sealSensitiveFields({ wifiPassword: '4821' }, FIELDS, cipher).wifiPassword).not.toBe(
      once.doorSecurityCode,
    );
    expect(sealSensitiveFields(listing, FIELDS, new CredentialCipher([key('k1')])).doorSecurityCode).not.toBe(
      once.doorSecurityCode,
    );
  });

  it('masks sealed values for API readers', () => {
    const masked = maskSealedValues(sealSensitiveFields(listing, FIELDS, cipher));
    expect(masked).toMatchObject({
      name: 'Test Cottage',
      wifiPassword: MASKED_VALUE,
      doorSecurityCode: MASKED_VALUE,
      reservation: { doorCode: MASKED_VALUE },
    });
  });

  it('re-seals values of an older key under the active one, as a fresh seal would', () => {
    const old = key('k1');
    const current = key('k2');
    const sealedOld = sealSensitiveFields(listing, FIELDS, new CredentialCipher([old]));
    const ring = new CredentialCipher([current, old]);
    const { value, changed } = resealValues(sealedOld, ring);
    expect(changed).toBe(true);
    expect(value).toEqual(sealSensitiveFields(listing, FIELDS, new CredentialCipher([current])));
    expect(resealValues(value, ring)).toEqual({ value, changed: false });
  });

  it('an empty pattern means the listed names only', () => {
    const onlyNames = sensitiveFieldsFrom(['wifiPassword'], '');
    const sealed = sealSensitiveFields(listing, onlyNames, cipher);
    expect(isSealedValue(sealed.wifiPassword)).toBe(true);
    expect(sealed.doorSecurityCode).toBe('4821');
  });
});
