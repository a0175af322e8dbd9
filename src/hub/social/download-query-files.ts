import { MODEL_LIBRARIES_UI_ELEMENTS } from "@huggingface/tasks";

/**
 * Which file requests count as a download, as the Hub decides: a repo download is counted once per request
 * of a "query file" — by default `config.json`, `config.yaml`, `hyperparams.yaml` or `meta.yaml` at the
 * repo's root — so fetching a model's many weight shards counts once. A library can name its own query
 * files (`countDownloads` in @huggingface/tasks, a small Elasticsearch-style query over the path); those
 * are read here. See https://huggingface.co/docs/hub/models-download-stats.
 */
const DEFAULT_QUERY_FILES = new Set(["config.json", "config.yaml", "hyperparams.yaml", "meta.yaml"]);

type Clause = (path: string) => boolean;

function clauseOf(field: string, value: string): Clause | undefined {
  switch (field) {
    case "path":
      return (path) => path === value;
    case "path_extension":
      return (path) => path.endsWith(`.${value}`);
    case "path_prefix":
      return (path) => path.startsWith(value);
    case "path_filename":
      // The file name without its extension, as the Hub's index stores it.
      return (path) => {
        const file = path.slice(path.lastIndexOf("/") + 1);
        const dot = file.lastIndexOf(".");
        return (dot > 0 ? file.slice(0, dot) : file) === value;
      };
    default:
      return undefined;
  }
}

/**
 * A `countDownloads` query as a test on paths: `OR` of groups of `AND`ed `field:"value"` clauses (one level
 * of parentheses is flattened). Undefined when the query uses something else (then the defaults apply).
 */
export function parseCountDownloads(query: string): Clause | undefined {
  const groups = query.replace(/[()]/g, "").split(/\s+OR\s+/);
  const tests: Clause[][] = [];
  for (const group of groups) {
    const clauses: Clause[] = [];
    for (const part of group.split(/\s+AND\s+/)) {
      const match = /^\s*(\w+):"([^"]*)"\s*$/.exec(part);
      if (!match) return undefined;
      if (match[1] === "_exists_") continue;
      const clause = clauseOf(match[1]!, match[2]!);
      if (!clause) return undefined;
      clauses.push(clause);
    }
    tests.push(clauses);
  }
  return (path) => tests.some((clauses) => clauses.every((clause) => clause(path)));
}

const byLibrary = new Map<string, Clause | undefined>();

/** Whether a request of `path` counts as a download of a repo whose library is `libraryName`. */
export function isDownloadQueryFile(path: string, libraryName: string | null): boolean {
  if (libraryName) {
    if (!byLibrary.has(libraryName)) {
      const entry = (MODEL_LIBRARIES_UI_ELEMENTS as Record<string, { countDownloads?: string }>)[libraryName];
      byLibrary.set(
        libraryName,
        entry?.countDownloads ? parseCountDownloads(entry.countDownloads) : undefined,
      );
    }
    const test = byLibrary.get(libraryName);
    if (test) return test(path);
  }
  return DEFAULT_QUERY_FILES.has(path);
}
