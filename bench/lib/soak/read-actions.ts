import { createHash } from "node:crypto";
import {
  type Action,
  type ClientContext,
  encodeRepo,
  get,
  judge,
  maybeAuth,
  pick,
} from "./client-context.ts";
import type { Answer } from "./http.ts";
import type { AssetFile } from "./setup.ts";

const isArray = (answer: Answer) => (Array.isArray(answer.json()) ? undefined : "not a JSON array");

const LISTINGS = [
  "/api/models?search=bert",
  "/api/models?search=llama&sort=downloads&direction=-1",
  "/api/models?filter=text-classification",
  "/api/models?pipeline_tag=feature-extraction&limit=50",
  "/api/models?author=hangar&full=true",
  "/api/models?search=tiny&expand[]=sha&expand[]=pipeline_tag",
  "/api/models?sort=lastModified&direction=-1&limit=100",
  "/api/models?filter=license:apache-2.0&limit=20",
  "/api/models?search=soak",
  "/api/models?author=soak-team",
  "/api/datasets?limit=20",
];

const DISCOVERIES = [
  "/v1/discover?q=sentiment",
  "/v1/discover?task=text-classification&license=apache-2.0",
  "/v1/discover?q=embedding&runs_locally=true",
  "/v1/discover?commercial=true&params_max=1B&sort=downloads",
  "/v1/discover?q=llama&explain=true&limit=5",
  "/v1/discover?task=text-generation&params_min=1B&sort=parameters",
  "/v1/discover?q=speech%20recognition&language=en",
  "/v1/discover?author=hangar&facets=false",
];

export const listing: Action = {
  kind: "list /api/models",
  weight: 13,
  run: (context) => get(context, pick(context, LISTINGS), [200], isArray),
};

export const info: Action = {
  kind: "repo info",
  weight: 8,
  run: (context) => {
    const repo = pick(context, context.world.infoRepos);
    const suffix = pick(context, ["", "?blobs=true", "/revision/main"]);
    return get(context, `/api/models/${encodeRepo(repo)}${suffix}`, [200], (answer) =>
      answer.json<{ id?: string }>().id === repo ? undefined : "the info names another repo",
    );
  },
};

export const tree: Action = {
  kind: "tree",
  weight: 5,
  run: (context) => {
    const repo = pick(context, context.world.realRepos);
    const query = pick(context, ["?recursive=true", "?recursive=true&expand=true", ""]);
    return get(context, `/api/models/${encodeRepo(repo)}/tree/main${query}`, [200], isArray);
  },
};

export const history: Action = {
  kind: "refs and commits",
  weight: 4,
  run: (context) => {
    const repo = pick(context, context.world.realRepos);
    return context.random() < 0.5
      ? get(context, `/api/models/${encodeRepo(repo)}/refs`, [200])
      : get(context, `/api/models/${encodeRepo(repo)}/commits/main`, [200], isArray);
  },
};

export const discover: Action = {
  kind: "discover /v1/discover",
  weight: 10,
  run: (context) =>
    get(context, pick(context, DISCOVERIES), [200], (answer) =>
      typeof answer.json<{ total?: unknown }>().total === "number" ? undefined : "no total in the answer",
    ),
};

function resolvePath(context: ClientContext, file: AssetFile): string {
  return `/${encodeRepo(context.world.assets.repo)}/resolve/main/${file.path}`;
}

export const download: Action = {
  kind: "download",
  weight: 8,
  run: async (context) => {
    const file = pick(context, context.world.assets.files);
    const path = resolvePath(context, file);
    const answer = await context.http.send({ path, headers: maybeAuth(context), followRedirects: true });
    return judge(`GET ${path}`, answer, [200], (received) => {
      if (received.body.byteLength !== file.bytes.byteLength) {
        return `${received.body.byteLength} bytes, expected ${file.bytes.byteLength}`;
      }
      const digest = createHash("sha256").update(received.body).digest("hex");
      return digest === file.sha256 ? undefined : "the bytes differ from the file's";
    });
  },
};

/** A range as clients send them: `a-b`, open-ended `a-`, or the last `n` bytes (`-n`). */
function randomRange(context: ClientContext, size: number): { header: string; start: number; end: number } {
  const start = Math.floor(context.random() * size);
  const shape = context.random();
  if (shape < 0.2) return { header: `bytes=${start}-`, start, end: size - 1 };
  if (shape < 0.35) {
    const suffix = 1 + Math.floor(context.random() * size);
    return { header: `bytes=-${suffix}`, start: size - suffix, end: size - 1 };
  }
  const end = Math.min(size - 1, start + Math.floor(context.random() * 256 * 1024));
  return { header: `bytes=${start}-${end}`, start, end };
}

export const rangedDownload: Action = {
  kind: "download with Range",
  weight: 8,
  run: async (context) => {
    const file = pick(context, context.world.assets.files);
    const range = randomRange(context, file.bytes.byteLength);
    const path = resolvePath(context, file);
    const answer = await context.http.send({
      path,
      headers: { ...maybeAuth(context), Range: range.header },
      followRedirects: true,
    });
    return judge(`GET ${path} Range: ${range.header}`, answer, [206], (received) => {
      const expectedRange = `bytes ${range.start}-${range.end}/${file.bytes.byteLength}`;
      if (received.headers["content-range"] !== expectedRange) {
        return `Content-Range ${received.headers["content-range"]}, expected ${expectedRange}`;
      }
      return received.body.equals(file.bytes.subarray(range.start, range.end + 1))
        ? undefined
        : "the bytes differ from the file's range";
    });
  },
};
