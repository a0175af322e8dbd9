import { createHash, randomBytes } from "node:crypto";

const TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A new secret token. The `hf_` prefix makes it look like what users and tools expect of a Hub token. */
export function generateToken(): string {
  const bytes = randomBytes(34);
  let body = "";
  for (const byte of bytes) body += TOKEN_ALPHABET[byte % TOKEN_ALPHABET.length];
  return `hf_${body}`;
}

/** Tokens are stored only as their sha256: they are long random secrets, so a slow hash buys nothing. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
