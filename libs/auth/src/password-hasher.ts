import { Injectable } from '@nestjs/common';
import argon2 from 'argon2';

/** Argon2id (memory-hard) with OWASP's recommended minimum cost: 19 MiB, 2 passes. */
@Injectable()
export class PasswordHasher {
  private static readonly options = {
    type: argon2.argon2id,
    memoryCost: 19456,
    timeCost: 2,
    parallelism: 1,
  } as const;
  /** Verified against when the account is unknown, so timing does not reveal which emails exist. */
  private dummyHash?: Promise<string>;

  hash(password: string): Promise<string> {
    return argon2.hash(password, PasswordHasher.options);
  }

  async verify(hash: string | null | undefined, password: string): Promise<boolean> {
    if (!hash) {
      this.dummyHash ??= this.hash('kubecohort-timing-equaliser');
      await argon2.verify(await this.dummyHash, password).catch(() => false);
      return false;
    }
    return argon2.verify(hash, password).catch(() => false);
  }
}
