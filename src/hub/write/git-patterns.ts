/**
 * The subset of git's pattern rules that `.gitattributes` and `.gitignore` use, enough to decide which files
 * go through LFS and which a client asked to ignore.
 */

function globToRegexSource(glob: string): string {
  let source = "";
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index]!;
    if (char === "*") {
      if (glob[index + 1] === "*") {
        const atStart = index === 0 || glob[index - 1] === "/";
        const followedBySlash = glob[index + 2] === "/";
        if (atStart && followedBySlash) {
          source += "(?:.*/)?";
          index += 2;
        } else {
          source += ".*";
          index += 1;
        }
      } else {
        source += "[^/]*";
      }
    } else if (char === "?") {
      source += "[^/]";
    } else if (char === "[") {
      const close = glob.indexOf("]", index + 2);
      if (close === -1) {
        source += "\\[";
      } else {
        let body = glob.slice(index + 1, close);
        if (body.startsWith("!")) body = `^${body.slice(1)}`;
        source += `[${body.replace(/\\/g, "\\\\")}]`;
        index = close;
      }
    } else if (char === "\\" && index + 1 < glob.length) {
      index++;
      source += glob[index]!.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    } else {
      source += char.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    }
  }
  return source;
}

/** A compiled pattern: without a slash it matches a name at any depth, with one it is anchored at the root. */
export function compileGitPattern(pattern: string): RegExp {
  const anchored = pattern.includes("/");
  const body = pattern.startsWith("/") ? pattern.slice(1) : pattern;
  return new RegExp(`^${anchored ? "" : "(?:.*/)?"}${globToRegexSource(body)}$`);
}

/**
 * Reads `.gitattributes` for the `filter` attribute: the returned function says whether a path is stored
 * through LFS (`filter=lfs`), explicitly not (`-filter`, `!filter`, another filter), or leaves it undecided.
 */
export function lfsRulesFromGitAttributes(text: string): (path: string) => boolean | undefined {
  const rules: Array<{ pattern: RegExp; lfs: boolean }> = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith("#")) continue;
    const [pattern, ...attributes] = line.split(/\s+/);
    if (!pattern || pattern.startsWith("!")) continue;
    for (const attribute of attributes) {
      if (attribute === "filter=lfs") rules.push({ pattern: compileGitPattern(pattern), lfs: true });
      else if (attribute === "-filter" || attribute === "!filter" || attribute.startsWith("filter=")) {
        rules.push({ pattern: compileGitPattern(pattern), lfs: false });
      }
    }
  }
  return (path) => {
    let decision: boolean | undefined;
    for (const rule of rules) if (rule.pattern.test(path)) decision = rule.lfs;
    return decision;
  };
}

/** Reads `.gitignore`: the returned function says whether a path is ignored (last matching rule wins). */
export function ignoreRulesFromGitIgnore(text: string): (path: string) => boolean {
  const rules: Array<{ pattern: RegExp; negated: boolean; directoryOnly: boolean }> = [];
  for (const rawLine of text.split(/\r?\n/)) {
    let line = rawLine.replace(/(?<!\\)\s+$/, "");
    if (!line || line.startsWith("#")) continue;
    const negated = line.startsWith("!");
    if (negated) line = line.slice(1);
    const directoryOnly = line.endsWith("/");
    if (directoryOnly) line = line.slice(0, -1);
    if (!line) continue;
    rules.push({ pattern: compileGitPattern(line), negated, directoryOnly });
  }
  return (path) => {
    const segments = path.split("/");
    // A path is ignored when it, or any folder above it, matches; git never looks inside an ignored folder.
    for (let depth = 1; depth <= segments.length; depth++) {
      const candidate = segments.slice(0, depth).join("/");
      const isFolder = depth < segments.length;
      let ignored = false;
      for (const rule of rules) {
        if (rule.directoryOnly && !isFolder) continue;
        if (rule.pattern.test(candidate)) ignored = !rule.negated;
      }
      if (ignored) return true;
    }
    return false;
  };
}
