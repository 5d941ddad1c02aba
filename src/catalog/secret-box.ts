import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../shared/errors.js';

/** Where the key that seals secrets at rest comes from (a keychain in the desktop app, else a file). */
export interface KeyProvider {
  loadKey(): Buffer;
}

/** The fallback key store: 32 random bytes in `secret.key`, mode 0600, beside the catalog. */
export class FileKeyProvider implements KeyProvider {
  constructor(private readonly dataDir: string) {}

  loadKey(): Buffer {
    const file = join(this.dataDir, 'secret.key');
    if (!existsSync(file)) {
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    }
    chmodSync(file, 0o600);
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) {
      throw new AppError('data_dir', `${file} is not a 32-byte key: restore it from a backup (secrets sealed with it cannot be read without it)`);
    }
    return key;
  }
}

/** Seals and opens short secrets (API keys, config vars) with AES-256-GCM. */
export class SecretBox {
  private readonly key: Buffer;

  constructor(provider: KeyProvider) {
    this.key = provider.loadKey();
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split(':');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('secret is not sealed by this hub');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }
}
