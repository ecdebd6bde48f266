import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  scryptSync,
  timingSafeEqual,
} from 'node:crypto';

/**
 * AES-256-GCM for credentials at rest. A ciphertext is one string that names the key it was
 * sealed with, so keys can be rotated: `v1:<keyId>:<iv>:<tag>:<data>` (base64url parts).
 * The first configured key encrypts; every configured key can decrypt.
 */
export interface CredentialKey {
  id: string;
  /** 32 bytes */
  key: Buffer;
}

const FORMAT = 'v1';
const IV_BYTES = 12;

export class CredentialCipher {
  private readonly keys = new Map<string, Buffer>();
  private ivKey?: Buffer;

  constructor(private readonly ring: CredentialKey[]) {
    if (ring.length === 0) throw new Error('at least one credential key is required');
    for (const { id, key } of ring) {
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new Error(`invalid credential key id "${id}"`);
      if (key.length !== 32) throw new Error(`credential key "${id}" must be 32 bytes, got ${key.length}`);
      this.keys.set(id, key);
    }
  }

  get activeKeyId(): string {
    return this.ring[0].id;
  }

  encrypt(plaintext: string): string {
    return this.seal(plaintext, randomBytes(IV_BYTES));
  }

  /**
   * Like `encrypt`, but the same plaintext in the same context always gives the same ciphertext (the IV is
   * an HMAC of context and plaintext under the key, as in SIV modes). For secrets inside payloads that are
   * stored "only when changed": a random IV would make every re-fetch look like a change. What it reveals
   * is only equality: two listings with the same door code carry the same ciphertext.
   */
  encryptDeterministic(plaintext: string, context: string): string {
    // a subkey, so the AES key itself is never also used as an HMAC key
    this.ivKey ??= createHmac('sha256', this.ring[0].key).update('staysync deterministic IV').digest();
    const iv = createHmac('sha256', this.ivKey)
      .update(`${context}\0${plaintext}`)
      .digest()
      .subarray(0, IV_BYTES);
    return this.seal(plaintext, iv);
  }

  private seal(plaintext: string, iv: Buffer): string {
    const cipher = createCipheriv('aes-256-gcm', this.ring[0].key, iv);
    // the key id is bound as associated data, so a ciphertext cannot be relabelled to another key
    cipher.setAAD(Buffer.from(this.activeKeyId));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      FORMAT,
      this.activeKeyId,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      data.toString('base64url'),
    ].join(':');
  }

  decrypt(sealed: string): string {
    const [format, keyId, iv, tag, data] = sealed.split(':');
    if (format !== FORMAT || data === undefined) throw new Error('not a staysync credential ciphertext');
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`credential key "${keyId}" is not configured (CREDENTIALS_KEYS)`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(keyId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }

  keyIdOf(sealed: string): string {
    return sealed.split(':')[1];
  }

  /** True when the ciphertext is sealed with a key other than the active one. */
  needsRotation(sealed: string): boolean {
    return this.keyIdOf(sealed) !== this.activeKeyId;
  }
}

/** `id:base64key[,id:base64key…]`; the first key is the active one. */
export function parseCredentialKeys(spec: string): CredentialKey[] {
  return spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [id, encoded] = part.split(':');
      if (!id || !encoded)
        throw new Error('each credential key must be written as <id>:<base64 of 32 bytes>');
      return { id, key: Buffer.from(encoded, 'base64') };
    });
}

/** scrypt hash for secrets we only need to verify (webhook passwords): `scrypt:<salt>:<hash>`. */
export function hashSecret(secret: string): string {
  const salt = randomBytes(16);
  return `scrypt:${salt.toString('base64url')}:${scryptSync(secret, salt, 32).toString('base64url')}`;
}

export function verifySecret(secret: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split(':');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = scryptSync(secret, Buffer.from(salt, 'base64url'), expected.length);
  return timingSafeEqual(expected, actual);
}

/** Constant-time string equality (lengths may differ without leaking where they differ). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  const same = left.length === right.length;
  return timingSafeEqual(same ? left : right, right) && same;
}
