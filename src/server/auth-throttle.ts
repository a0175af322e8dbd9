import { isIPv6 } from "node:net";
import { HangarError } from "../core/errors.ts";
import type { AuthThrottleSettings } from "../core/server-config.ts";
import { hashToken } from "../hub/accounts/tokens.ts";
import type { WindowCounter } from "../store/window-counter.ts";

export interface AuthThrottleParams {
  /** Where the counts live: in memory for one process, a shared store for several nodes. */
  counter: WindowCounter;
  settings: AuthThrottleSettings;
}

export interface ThrottledAuthenticationParams<T> {
  /** The client's address (see `clientAddress`). */
  address: string;
  /** The bearer token the client sent. */
  token: string;
  /**
   * Resolves the token, given its hash (`hashToken`, computed once here for the trust mark and this);
   * fails with HANGAR_ERR_UNAUTHORIZED when it is unknown.
   */
  authenticate: (tokenHash: string) => T | Promise<T>;
}

/**
 * Throttles guessing of tokens: failed authentications are counted per client address, and once an address
 * has `maxFailures` in a window, its authenticated requests get 429 (HANGAR_ERR_RATE_LIMITED, with
 * Retry-After) until the window ends, unknown and valid tokens alike, so the answer tells a guesser nothing.
 * The exception is a token that already authenticated from that address within `trustedForMs` (before the
 * block began): someone else's failures behind a shared address (an office NAT, a proxy) must not lock out
 * the people who were already working there. Requests without a token are not affected.
 */
export class AuthThrottle {
  private readonly counter: WindowCounter;
  private readonly settings: AuthThrottleSettings;

  constructor(params: AuthThrottleParams) {
    this.counter = params.counter;
    this.settings = params.settings;
  }

  /**
   * The principal, and whether this is a sign-in: the first success of this token from this address within
   * the trust window (every request authenticates; only these are worth an audit entry).
   */
  async authenticate<T>(
    params: ThrottledAuthenticationParams<T>,
  ): Promise<{ principal: T; signedIn: boolean }> {
    const source = addressKey(params.address);
    const failuresKey = `auth-failures:${source}`;
    const tokenHash = hashToken(params.token);
    const trustedKey = `auth-trusted:${source}:${tokenHash}`;
    const failures = await this.counter.peek(failuresKey);
    if (failures && failures.count >= this.settings.maxFailures) {
      if (!(await this.counter.peek(trustedKey))) throw rateLimited(failures.resetAt);
    }
    let principal: T;
    try {
      principal = await params.authenticate(tokenHash);
    } catch (error) {
      if (HangarError.isInstance(error) && error.code === "HANGAR_ERR_UNAUTHORIZED") {
        await this.counter.increment(failuresKey, this.settings.windowMs);
      }
      throw error;
    }
    // One counter operation renews the trust mark and says whether it was there (a sign-in when not).
    const signedIn = await this.counter.touch(trustedKey, this.settings.trustedForMs);
    return { principal, signedIn };
  }
}

function rateLimited(resetAt: number): HangarError {
  const seconds = Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));
  return new HangarError(
    "HANGAR_ERR_RATE_LIMITED",
    `Too many failed authentications from your address: try again in ${seconds} s`,
    { headers: { "Retry-After": String(seconds) } },
  );
}

/**
 * The part of an address that names one client: an IPv4 address (also when written IPv4-mapped, as a
 * dual-stack socket reports it), or the /64 network of an IPv6 address, since one host commonly holds a
 * whole /64 and could otherwise try from a fresh address each time.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = "", tail] = address.split("%")[0]!.toLowerCase().split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const missing = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(Math.max(0, missing)).fill("0"), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
