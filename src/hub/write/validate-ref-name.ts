import { HangarError } from "../../core/errors.ts";

/**
 * Checks a new branch or tag name against git's rules for ref names, plus Hangar's own: names that look
 * like a commit id or start with `refs/` would make revisions ambiguous.
 */
export function validateRefName(name: string, what: "branch" | "tag"): string {
  const fail = (reason: string): never => {
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", `Invalid ${what} name "${name}": ${reason}`);
  };
  if (!name) fail("it is empty");
  if (name.length > 255) fail("it is longer than 255 characters");
  const hasControl = [...name].some((char) => char.charCodeAt(0) <= 0x20 || char.charCodeAt(0) === 0x7f);
  if (hasControl || /[~^:?*[\\]/.test(name))
    fail("it contains a space, a control character or one of ~^:?*[\\");
  if (name.includes("..") || name.includes("//") || name.includes("@{"))
    fail('it contains "..", "//" or "@{"');
  if (name.startsWith("/") || name.endsWith("/") || name.endsWith("."))
    fail('it starts or ends with "/" or ends with "."');
  if (name.startsWith("-")) fail('it starts with "-"');
  if (name.split("/").some((part) => part.startsWith(".") || part.endsWith(".lock"))) {
    fail('a part starts with "." or ends with ".lock"');
  }
  if (name === "@" || name === "HEAD") fail("it is reserved");
  if (name.startsWith("refs/")) fail('it starts with "refs/"');
  if (/^[0-9a-f]{40}$/.test(name)) fail("it looks like a commit id");
  return name;
}
