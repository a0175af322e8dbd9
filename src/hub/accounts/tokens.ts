import { hash, randomBytes } from "node:crypto";

const TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** What every Hangar token starts with, as a Hub token does: users and tools expect it. */
export const TOKEN_PREFIX = "hf_";

/**
 * Whether a bearer is shaped like a Hangar (or Hub) token. A placeholder key such as "none" or
 * "sk-no-key-required", which OpenAI's clients make users send, is not.
 */
export function isTokenShaped(bearer: string): boolean {
  return bearer.startsWith(TOKEN_PREFIX);
}

/** A new secret token. */
export function generateToken(): string {
  const bytes = randomBytes(34);
  let body = "";
  for (const byte of bytes) body += TOKEN_ALPHABET[byte % TOKEN_ALPHABET.length];
  return `${TOKEN_PREFIX}${body}`;
}

/**
 * Tokens are stored only as their sha256: they are long random secrets, so a slow hash buys nothing. Every
 * authenticated request hashes its token: the one-shot `hash` makes no Hash object for it.
 */
export function hashToken(token: string): string {
  return hash("sha256", token, "hex");
}
