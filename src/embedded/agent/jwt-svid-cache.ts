/**
 * JWT-SVIDs minted for workloads, reused per entry and audience set until half of
 * their lifetime has passed, so repeated fetches do not each cost a server call.
 */
import { isPastHalfLife } from './rotation.js';

interface CachedJwtSvid {
  readonly token: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

export class JwtSvidCache {
  readonly #tokens = new Map<string, CachedJwtSvid>();

  /** Returns a cached token for the entry and audience, or mints one with `mint`. */
  async fetch(
    entryId: string,
    audience: readonly string[],
    now: Date,
    mint: () => Promise<{ token: string; issuedAt: number; expiresAt: number }>,
  ): Promise<string> {
    const key = `${entryId}\n${[...audience].sort().join('\n')}`;
    const cached = this.#tokens.get(key);
    if (cached && !isPastHalfLife(cached.issuedAt, cached.expiresAt, now)) return cached.token;

    const minted = await mint();
    this.#tokens.set(key, { token: minted.token, issuedAt: new Date(minted.issuedAt * 1000), expiresAt: new Date(minted.expiresAt * 1000) });
    return minted.token;
  }

  /** Drops tokens of entries that are no longer served. */
  retainEntries(entryIds: ReadonlySet<string>): void {
    for (const key of this.#tokens.keys()) {
      if (!entryIds.has(key.split('\n')[0] ?? '')) this.#tokens.delete(key);
    }
  }
}
