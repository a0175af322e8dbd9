import { HangarError } from "../core/errors.ts";
import type { Repo, RepoRef } from "../core/types.ts";
import { assertCanDownload, getReadableRepo } from "../hub/access.ts";
import type { Caller } from "../hub/accounts/principal.ts";
import type { RequestContext } from "./router.ts";

/** What git and git-lfs need to ask for credentials (or use the ones they were given). */
export const BASIC_CHALLENGE = { "WWW-Authenticate": 'Basic realm="Hangar"' };

/**
 * The token of HTTP Basic credentials, as git sends them: any user name, a Hangar token as the password, as
 * on the Hub. Some tools put the token in the user name and leave the password empty. The request hook
 * resolves it on routes marked `acceptsBasicAuth` (git and Git LFS), with the bearer token's throttle and
 * audit; a token that is not known answers 401 with the challenge, so git asks again or says authentication
 * failed.
 */
export function basicAuthToken(header: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const token = colon === -1 ? decoded : decoded.slice(colon + 1) || decoded.slice(0, colon);
  return token || undefined;
}

/** A 401 that git understands as "send credentials"; other errors unchanged. */
export function withChallenge(error: unknown): unknown {
  if (!HangarError.isInstance(error) || error.status !== 401) return error;
  return new HangarError(error.code, error.message, {
    status: 401,
    details: error.details,
    headers: { ...error.headers, ...BASIC_CHALLENGE },
  });
}

/** The repo if the caller may clone it: readable, not disabled, and for gated repos a signed-in caller. */
export async function cloneableRepo(context: RequestContext, caller: Caller, ref: RepoRef): Promise<Repo> {
  try {
    const repo = await getReadableRepo(context.hangar, caller, ref);
    if (repo.disabled) throw new HangarError("HANGAR_ERR_FORBIDDEN", "Access to this resource is disabled.");
    assertCanDownload(caller, repo);
    return repo;
  } catch (error) {
    throw withChallenge(error);
  }
}
