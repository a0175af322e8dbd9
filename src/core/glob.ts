/**
 * File patterns for `--include` / `--exclude`, matched the way `hf download` and `hf upload` match them
 * (Python's fnmatch on the repo path): `*` matches any run of characters, `/` included, so `*.json` also
 * selects `sub/config.json`; `?` matches one character; `[abc]`, `[a-z]` and `[!abc]` match one character
 * from (or not from) a set. `**` is therefore the same as `*`. A pattern ending in `/` selects everything
 * below that folder.
 *
 * Node's `path.matchesGlob` is not used: it is experimental on Node 20 (it prints a warning) and its `*`
 * stops at `/`, which would select different files than `hf` for the same command line.
 */
export function globToRegExp(pattern: string): RegExp {
  const source = pattern.endsWith("/") ? `${pattern}*` : pattern;
  let out = "";
  for (let index = 0; index < source.length; index++) {
    const char = source[index]!;
    if (char === "*") {
      out += ".*";
    } else if (char === "?") {
      out += ".";
    } else if (char === "[") {
      const set = readSet(source, index);
      if (set) {
        out += set.regex;
        index = set.end;
      } else {
        out += "\\[";
      }
    } else {
      out += escapeRegExp(char);
    }
  }
  return new RegExp(`^${out}$`, "s");
}

/** Reads `[...]` starting at `start`; undefined when the bracket is never closed (then it is a literal). */
function readSet(source: string, start: number): { regex: string; end: number } | undefined {
  let index = start + 1;
  let negate = false;
  if (source[index] === "!") {
    negate = true;
    index++;
  }
  // A `]` right after the opening bracket is a member, not the end.
  const first = index;
  while (index < source.length && (source[index] !== "]" || index === first)) index++;
  if (index >= source.length) return undefined;
  const body = source.slice(first, index);
  let members = "";
  for (let position = 0; position < body.length; position++) {
    const char = body[position]!;
    const isRange = body[position + 1] === "-" && position + 2 < body.length;
    if (isRange) {
      members += `${escapeSetChar(char)}-${escapeSetChar(body[position + 2]!)}`;
      position += 2;
    } else {
      members += escapeSetChar(char);
    }
  }
  return { regex: `[${negate ? "^" : ""}${members}]`, end: index };
}

function escapeRegExp(char: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(char) ? `\\${char}` : char;
}

function escapeSetChar(char: string): string {
  return /[\\\]^[-]/.test(char) ? `\\${char}` : char;
}

export interface PathFilter {
  include?: string[];
  exclude?: string[];
}

/** Whether `path` passes the filter: it matches an include pattern (or none are given) and no exclude pattern. */
export function createPathFilter(filter: PathFilter): (path: string) => boolean {
  const include = (filter.include ?? []).map(globToRegExp);
  const exclude = (filter.exclude ?? []).map(globToRegExp);
  return (path) =>
    (include.length === 0 || include.some((regex) => regex.test(path))) &&
    !exclude.some((regex) => regex.test(path));
}
