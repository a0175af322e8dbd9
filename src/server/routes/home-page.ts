import { readFileSync } from "node:fs";
import type { Repo, RepoType } from "../../core/types.ts";
import { REPO_TYPES } from "../../core/types.ts";
import { listRepos } from "../../hub/read/list-repos.ts";
import { sendJson } from "../http.ts";
import type { RequestContext, Router } from "../router.ts";

const VERSION = (
  JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** Repos listed per type on the page; the API has the rest. */
const REPOS_SHOWN = 50;

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

function wantsHtml(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((part) => /^\s*text\/html\b/i.test(part));
}

const TYPE_TITLES: Record<RepoType, string> = { model: "Models", dataset: "Datasets", space: "Spaces" };

function repoItem(baseUrl: string, repo: Repo): string {
  const href = `${baseUrl}/api/${repo.type}s/${repo.namespace}/${repo.name}`;
  const tags = repo.tags.length > 0 ? ` <small>${escapeHtml(repo.tags.join(", "))}</small>` : "";
  return `<li><a href="${escapeHtml(href)}">${escapeHtml(repo.id)}</a>${tags}</li>`;
}

function quickStart(baseUrl: string, exampleRepo: string): string {
  const url = escapeHtml(baseUrl);
  return `<h2>Quick start</h2>
<p>Python (<code>huggingface_hub</code>, <code>transformers</code>, the <code>hf</code> CLI):</p>
<pre>export HF_ENDPOINT=${url}
export HF_HUB_DISABLE_XET=1   # uploads with huggingface_hub &gt;= 1.20
hf download ${escapeHtml(exampleRepo)}</pre>
<p>JavaScript (<code>@huggingface/hub</code>):</p>
<pre>import { listModels } from "@huggingface/hub";
for await (const model of listModels({ hubUrl: "${url}" })) console.log(model.name);</pre>
<p>transformers.js:</p>
<pre>import { env, pipeline } from "@huggingface/transformers";
env.remoteHost = "${url}/";
env.allowLocalModels = false;</pre>
<p>Administration on the server's machine: <code>hangar user add NAME</code>,
<code>hangar token create --user NAME --role write</code>, <code>hangar import DIR NAMESPACE/NAME</code>.</p>`;
}

async function homePage(context: RequestContext): Promise<string> {
  const { hangar, caller, baseUrl } = context;
  let exampleRepo = "namespace/name";
  const sections: string[] = [];
  for (const type of REPO_TYPES) {
    const { items, nextCursor } = await listRepos(hangar, caller, {
      type,
      sort: "lastModified",
      descending: true,
      limit: REPOS_SHOWN,
    });
    if (items.length === 0) continue;
    if (type === "model" && items[0]) exampleRepo = items[0].repo.id;
    const more = nextCursor
      ? `<p>Only the ${REPOS_SHOWN} most recently updated are listed here; see <a href="${escapeHtml(`${baseUrl}/api/${type}s`)}">/api/${type}s</a>.</p>`
      : "";
    sections.push(
      `<h2>${TYPE_TITLES[type]}</h2>\n<ul>\n${items.map((item) => repoItem(baseUrl, item.repo)).join("\n")}\n</ul>${more}`,
    );
  }
  const title = `Hangar at ${baseUrl}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
pre { background: #f4f4f5; padding: 0.75rem; overflow-x: auto; }
small { color: #666; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>A self-hostable model hub that speaks Hugging Face's protocols (Hangar ${escapeHtml(VERSION)}).
Point your Hugging Face tools at <code>${escapeHtml(baseUrl)}</code>.</p>
${sections.length > 0 ? sections.join("\n") : "<p>No public repositories yet.</p>"}
${quickStart(baseUrl, exampleRepo)}
</body>
</html>
`;
}

export function registerHomePageRoutes(router: Router): void {
  router.add("GET", "/", async (context) => {
    const { request, response, hangar } = context;
    if (!wantsHtml(request.headers.accept)) {
      sendJson(response, 200, {
        name: "Hangar",
        version: VERSION,
        repos: await hangar.catalog.repos.count(undefined, "local"),
        catalogEntries: await hangar.catalog.repos.count(undefined, "upstream"),
      });
      return;
    }
    const html = await homePage(context);
    response.writeHead(200, {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Length": Buffer.byteLength(html),
      Vary: "Accept, Origin",
    });
    response.end(request.method === "HEAD" ? undefined : html);
  });
}
