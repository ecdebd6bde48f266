import { randomBytes } from 'node:crypto';
import {
  CredentialCipher,
  constantTimeEqual,
  hashSecret,
  parseCredentialKeys,
  verifySecret,
} from './credential-cipher';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('Crypto > CredentialCipher', () => {
  it('round-trips and never contains the plaintext', () => {
    const cipher = new CredentialCipher([key('k1')]);
    const sealed = cipher.encrypt('_aat=secret-cookie');
    expect(sealed).toMatch(/^v1:k1:/);
    expect(sealed).not.toContain('secret-cookie');
    expect(cipher.decrypt(sealed)).toBe('_aat=secret-cookie');
  });

  it('uses a fresh IV each time', () => {
    const cipher = new CredentialCipher([key('k1')]);
    expect(cipher.encrypt('x')).not.toBe(cipher.encrypt('x'));
  });

  it('decrypts with an older key after rotation and reports what needs re-encryption', () => {
    const old = key('k1');
    const sealedOld = new CredentialCipher([old]).encrypt('cookie');
    const rotated = new CredentialCipher([key('k2'), old]);
    expect(rotated.decrypt(sealedOld)).toBe('cookie');
    expect(rotated.needsRotation(sealedOld)).toBe(true);
    expect(rotated.needsRotation(rotated.encrypt('cookie'))).toBe(false);
  });

  it('rejects tampering, relabelling and unknown keys', () => {
    const a = key('k1');
    const cipher = new CredentialCipher([a, { id: 'k2', key: a.key }]);
    const sealed = cipher.encrypt('cookie');
    const parts = sealed.split(':');
    const flipped = Buffer.from(parts[4], 'base64url');
    flipped[0] ^= 1;
    expect(() => cipher.decrypt([...parts.slice(0, 4), flipped.toString('base64url')].join(':'))).toThrow();
    expect(() => cipher.decrypt(['v1', 'k2', ...parts.slice(2)].join(':'))).toThrow();
    expect(() => new CredentialCipher([key('zz')]).decrypt(sealed)).toThrow(/"k1" is not configured/);
  });

  it('parses key specs and validates key length', () => {
    const k = randomBytes(32).toString('base64');
    expect(parseCredentialKeys(`new:${k}, old:${k}`).map((x) => x.id)).toEqual(['new', 'old']);
    expect(() => new CredentialCipher(parseCredentialKeys('k:c2hvcnQ='))).toThrow(/32 bytes/);
  });
});

describe('Crypto > secrets', () => {
  it('hashes and verifies webhook passwords', () => {
    const stored = hashSecret('hunter2');
    expect(stored).not.toContain('hunter2');
    expect(verifySecret('hunter2', stored)).toBe(true);
    expect(verifySecret('hunter3', stored)).toBe(false);
  });

  it('compares in constant time', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});
