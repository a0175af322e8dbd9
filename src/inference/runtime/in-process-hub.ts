import type { ModelSource } from "./model-loader.ts";

/**
 * transformers.js asks for `{remoteHost}/{repo}/resolve/{revision}/{path}` as it would from huggingface.co.
 * Hangar answers those requests in-process from the model being loaded (its files at one commit, read from
 * the blob store), so a library user without a running server loads the same files, pinned to the same
 * commit. The host is a reserved name that never resolves: nothing is ever fetched over the network.
 */
export const IN_PROCESS_HOST = "https://hangar.invalid";

const sources = new Map<string, ModelSource>();
/** The source last served per repo: some transformers.js paths (pipeline file listing) ask for `main`. */
const latestByRepo = new Map<string, ModelSource>();

function sourceKey(repoId: string, revision: string): string {
  return `${repoId.toLowerCase()}@${revision}`;
}

/** Makes a model's files answerable while it loads; returns the function that withdraws them. */
export function serveSource(source: ModelSource): () => void {
  const key = sourceKey(source.repo.id, source.commit.oid);
  const repoKey = source.repo.id.toLowerCase();
  sources.set(key, source);
  latestByRepo.set(repoKey, source);
  return () => {
    if (sources.get(key) === source) sources.delete(key);
    if (latestByRepo.get(repoKey) === source) latestByRepo.delete(repoKey);
  };
}

interface ResolvedUrl {
  source: ModelSource;
  path: string;
}

function resolveUrl(url: string): ResolvedUrl | "unknown-model" | "outside" {
  if (!url.startsWith(`${IN_PROCESS_HOST}/`)) return "outside";
  const match = /^([^/]+)\/([^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.slice(IN_PROCESS_HOST.length + 1));
  if (!match) return "unknown-model";
  const [, namespace, name, revision, path] = match;
  const repoId = `${decodeURIComponent(namespace!)}/${decodeURIComponent(name!)}`;
  // Files are always those of the commit being loaded, whatever revision name the request carries.
  const source =
    sources.get(sourceKey(repoId, decodeURIComponent(revision!))) ?? latestByRepo.get(repoId.toLowerCase());
  if (!source) return "unknown-model";
  return { source, path: path!.split("/").map(decodeURIComponent).join("/") };
}

function fileResponse(resolved: ResolvedUrl, range: string | null): Response {
  const file = resolved.source.files.find((entry) => entry.path === resolved.path);
  if (!file) {
    return new Response(`Entry not found: ${resolved.path}`, {
      status: 404,
      headers: { "X-Error-Code": "EntryNotFound" },
    });
  }
  const headers = {
    "Content-Type": "application/octet-stream",
    ETag: `"${file.lfs ? file.sha256 : file.gitOid}"`,
    "X-Repo-Commit": resolved.source.commit.oid,
  };
  // The existence probe (`Range: bytes=0-0`) learns the size without reading the file.
  if (range === "bytes=0-0" && file.size > 0) {
    return new Response(new Uint8Array(1), {
      status: 206,
      headers: { ...headers, "Content-Range": `bytes 0-0/${file.size}`, "Content-Length": "1" },
    });
  }
  // The bytes are read only when transformers.js consumes the body; metadata lookups never do. The chunk is
  // a view of the file's buffer, not a copy: for a 400 MB model a copy is 400 MB more at the load's peak.
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const bytes = await resolved.source.readFile(resolved.path);
      controller.enqueue(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { ...headers, "Content-Length": String(file.size) } });
}

function urlOf(input: unknown): string {
  if (typeof input === "string") return input;
  if (input instanceof URL) return input.href;
  if (input instanceof Request) return input.url;
  return String(input);
}

function headerOf(init: unknown, name: string): string | null {
  const headers = (init as { headers?: ConstructorParameters<typeof Headers>[0] } | undefined)?.headers;
  return headers ? new Headers(headers).get(name) : null;
}

/** The only fetch transformers.js gets: Hangar's own files, or an error for anything else. */
async function inProcessFetch(input: unknown, init?: unknown): Promise<Response> {
  const url = urlOf(input);
  const resolved = resolveUrl(url);
  if (resolved === "outside") {
    throw new Error(`Refused to fetch ${url}: Hangar loads models only from its own hub, never from outside`);
  }
  if (resolved === "unknown-model") {
    return new Response("Repository not found", { status: 404, headers: { "X-Error-Code": "RepoNotFound" } });
  }
  return fileResponse(resolved, headerOf(init, "range"));
}

/**
 * The blob file of an ONNX graph, which transformers.js (in Node) hands to onnxruntime as a path when its
 * cache answers with a string, so onnxruntime reads the file itself. Answering with bytes instead costs the
 * file's size three times over in JavaScript buffers while the session loads (2.4 GB peak RSS for the 418 MB
 * BERT-base file in `npm run bench:inference`) and seconds of copying. Graphs with external data files keep the
 * bytes path: onnxruntime looks for those next to the graph's own file name, which a blob path is not.
 */
async function onnxFilePath(resolved: ResolvedUrl): Promise<string | undefined> {
  if (!resolved.path.endsWith(".onnx")) return undefined;
  if (resolved.source.files.some((file) => /\.onnx_data(_\d+)?$/.test(file.path))) return undefined;
  if (!resolved.source.files.some((file) => file.path === resolved.path)) return undefined;
  return resolved.source.localPath(resolved.path);
}

/**
 * The blob store already holds every file on local disk, so a second copy in a transformers.js file cache
 * would only double the disk used. Instead the "cache" transformers.js consults first answers from the model
 * being loaded; it never stores anything. (transformers.js needs a cache to hand ONNX files to the runtime
 * when no file cache is on.)
 */
const blobStoreCache = {
  async match(request: unknown): Promise<Response | string | undefined> {
    const resolved = resolveUrl(urlOf(request));
    if (typeof resolved === "string") return undefined;
    const path = await onnxFilePath(resolved);
    if (path) return path;
    const response = fileResponse(resolved, null);
    return response.status === 200 ? response : undefined;
  },
  async put(): Promise<void> {},
};

let configured = false;

/**
 * Points transformers.js (a process-wide singleton) at the in-process hub. Called before every load, since
 * other code in the process may have changed `env`.
 */
export function configureTransformers(library: typeof import("@huggingface/transformers")): void {
  const { env, LogLevel } = library;
  env.allowLocalModels = false;
  env.allowRemoteModels = true;
  env.remoteHost = `${IN_PROCESS_HOST}/`;
  env.remotePathTemplate = "{model}/resolve/{revision}/";
  env.useFSCache = false;
  env.useBrowserCache = false;
  env.useCustomCache = true;
  env.customCache = blobStoreCache as unknown as typeof env.customCache;
  env.fetch = inProcessFetch as typeof env.fetch;
  if (!configured) {
    configured = true;
    // Warnings about missing optional files are expected (e.g. no generation_config.json).
    env.logLevel = LogLevel.ERROR;
  }
}
