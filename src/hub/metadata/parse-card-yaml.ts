import { isScalar, LineCounter, parseDocument, visit } from "yaml";

/** Aliases expand on reading; a few are normal, thousands are a "billion laughs" document. */
const MAX_ALIAS_COUNT = 100;

/**
 * The first key repeated in one mapping, or null. The `yaml` package's own check compares each key with
 * every earlier key of its mapping, which is quadratic (16,000 keys took seconds); this is one set per
 * mapping, with the same notion of equal keys: scalars with equal values (collections and aliases as keys
 * are never equal to another node).
 */
function findDuplicateKey(document: ReturnType<typeof parseDocument>): { offset: number } | null {
  let found: { offset: number } | null = null;
  visit(document, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        if (seen.has(pair.key.value)) {
          found = { offset: pair.key.range?.[0] ?? 0 };
          return visit.BREAK;
        }
        seen.add(pair.key.value);
      }
      return undefined;
    },
  });
  return found;
}

/**
 * Parses card YAML in time linear in its size. Returns the metadata as JSON text (what the catalog stores,
 * and cheaper to hand between threads than the object) and the problems found. Runs on the metadata worker.
 */
export function parseCardYaml(yaml: string): { json: string | null; warnings: string[] } {
  const invalid = (reason: string) => ({
    json: null,
    warnings: [`README.md metadata is not valid YAML and was ignored: ${reason}`],
  });
  const lineCounter = new LineCounter();
  const document = parseDocument(yaml, { uniqueKeys: false, lineCounter });
  const [error] = document.errors;
  if (error) return invalid(error.message.split("\n")[0] ?? error.message);
  const duplicate = findDuplicateKey(document);
  if (duplicate) {
    const { line, col } = lineCounter.linePos(duplicate.offset);
    return invalid(`Map keys must be unique at line ${line}, column ${col}`);
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (caught) {
    const reason = caught instanceof Error ? caught.message.split("\n")[0] : String(caught);
    return invalid(reason ?? "unreadable");
  }
  if (data === null || data === undefined) return { json: null, warnings: [] };
  if (typeof data !== "object" || Array.isArray(data)) {
    return { json: null, warnings: ["README.md metadata is not a YAML mapping; it was ignored"] };
  }
  return { json: JSON.stringify(data), warnings: [] };
}
