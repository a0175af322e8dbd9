import { readFileSync } from "node:fs";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import type { Router } from "./router.ts";

const VERSION = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** What each Hub route does, for the API reference; keyed by `METHOD pattern`. */
const HUB_SUMMARIES: Record<string, string> = {
  "POST /api/repos/create": "Create a repo",
  "DELETE /api/repos/delete": "Delete a repo",
  "POST /api/repos/move": "Rename or move a repo",
  "POST /api/validate-yaml": "Check a README's metadata",
  "PUT /api/:type(models|datasets|spaces)/:namespace/:name/settings": "Change a repo's visibility or gating",
  "POST /api/:type(models|datasets|spaces)/:namespace/:name/preupload/*revision":
    "Ask which files go to LFS before a commit",
  "POST /api/:type(models|datasets|spaces)/:namespace/:name/commit/*revision": "Commit files (NDJSON body)",
  "POST /api/:type(models|datasets|spaces)/:namespace/:name/branch/*branch": "Create a branch",
  "DELETE /api/:type(models|datasets|spaces)/:namespace/:name/branch/*branch": "Delete a branch",
  "POST /api/:type(models|datasets|spaces)/:namespace/:name/tag/*revision": "Create a tag",
  "DELETE /api/:type(models|datasets|spaces)/:namespace/:name/tag/*tag": "Delete a tag",
  "GET /api/:type(models|datasets|spaces)/:namespace/:name/discussions":
    "List a repo's discussions and pull requests (type, status, author; page p)",
  "POST /api/:type(models|datasets|spaces)/:namespace/:name/discussions":
    "Open a discussion or a pull request (refs/pr/N)",
  "GET /api/:type(models|datasets|spaces)/:namespace/:name/discussions/:num":
    "A discussion and its events; a pull request's conflicts and, with diff=1, its diff",
  "POST /api/:type(models|datasets|spaces)/:namespace/:name/discussions/:num/comment":
    "Comment on a discussion",
  "POST /api/:type(models|datasets|spaces)/:namespace/:name/discussions/:num/comment/:comment/edit":
    "Edit one's own comment",
  "POST /api/:type(models|datasets|spaces)/:namespace/:name/discussions/:num/comment/:comment/hide":
    "Hide a comment for good (its author or a writer)",
  "POST /api/:type(models|datasets|spaces)/:namespace/:name/discussions/:num/title": "Rename a discussion",
  "POST /api/:type(models|datasets|spaces)/:namespace/:name/discussions/:num/status":
    "Close or reopen a discussion",
  "POST /api/:type(models|datasets|spaces)/:namespace/:name/discussions/:num/merge":
    "Merge a pull request into its target branch (writers; 409 on conflicts)",
  "POST /api/:type(models|datasets|spaces)/:namespace/:name/super-squash/*branch":
    "Squash a branch's history into one commit with its current files",
  "POST /:namespace/:repo/info/lfs/objects/batch": "Git LFS batch API (model repos)",
  "POST /:type(datasets|spaces)/:namespace/:repo/info/lfs/objects/batch": "Git LFS batch API",
  "POST /:namespace/:repo/info/lfs/objects/verify": "Git LFS verify (model repos)",
  "POST /:type(datasets|spaces)/:namespace/:repo/info/lfs/objects/verify": "Git LFS verify",
  "GET /api/lfs-download/:type/:namespace/:name/:oid": "Download an LFS object on a signed link",
  "PUT /api/lfs-upload/:type/:namespace/:name/:oid": "Upload an LFS object (or one part of it)",
  "POST /api/lfs-upload/:type/:namespace/:name/:oid": "Complete a multipart LFS upload",
  "GET /:namespace/:repo/info/refs": "Git smart HTTP: refs and capabilities (model repos)",
  "GET /:type(datasets|spaces)/:namespace/:repo/info/refs": "Git smart HTTP: refs and capabilities",
  "POST /:namespace/:repo/git-upload-pack": "Git clone and fetch (model repos)",
  "POST /:type(datasets|spaces)/:namespace/:repo/git-upload-pack": "Git clone and fetch",
  "POST /:namespace/:repo/git-receive-pack": "Git push (model repos)",
  "POST /:type(datasets|spaces)/:namespace/:repo/git-receive-pack": "Git push",
  "GET /api/:type(models|datasets|spaces)": "List repos",
  "GET /api/:type(models|datasets|spaces)/:namespace/:name": "Repo info",
  "GET /api/:type(models|datasets|spaces)/:namespace/:name/revision/*revision": "Repo info at a revision",
  "GET /api/:type(models|datasets|spaces)/:namespace/:name/tree/*rest": "List files at a revision and path",
  "POST /api/:type(models|datasets|spaces)/:namespace/:name/paths-info/*revision": "Info on given paths",
  "GET /api/:type(models|datasets|spaces)/:namespace/:name/refs": "Branches and tags",
  "GET /api/:type(models|datasets|spaces)/:namespace/:name/commits/*revision": "Commit history",
  "GET /:type(datasets|spaces)/:namespace/:name/:kind(resolve|raw)/*rest": "Download a file (ranges, HEAD)",
  "GET /:namespace/:name/:kind(resolve|raw)/*rest": "Download a model's file (ranges, HEAD)",
  "GET /": "The web UI (for a browser) or the instance summary (JSON)",
};

interface Parameter {
  name: string;
  in: "path";
  required: true;
  description?: string;
  schema: { type: "string"; enum?: string[] };
}

/**
 * A `Router` pattern as an OpenAPI path and its parameters: `:name` is `{name}`, `:x(a|b)` a parameter of
 * those values, and `*rest` `{rest}`, which spans the rest of the path, slashes included.
 */
export function openApiPath(pattern: string): { path: string; parameters: Parameter[] } {
  const parameters: Parameter[] = [];
  const parts = pattern
    .split("/")
    .filter(Boolean)
    .map((part) => {
      const choice = /^:(\w+)\(([^)]+)\)$/.exec(part);
      if (choice) {
        parameters.push({
          name: choice[1]!,
          in: "path",
          required: true,
          schema: { type: "string", enum: choice[2]!.split("|") },
        });
        return `{${choice[1]}}`;
      }
      if (part.startsWith(":") || part.startsWith("*")) {
        const name = part.slice(1);
        parameters.push({
          name,
          in: "path",
          required: true,
          ...(part.startsWith("*")
            ? { description: "The rest of the path: spans several segments, slashes included; may be empty" }
            : {}),
          schema: { type: "string" },
        });
        return `{${name}}`;
      }
      return part;
    });
  return { path: `/${parts.join("/")}`, parameters };
}

/** The Hub's routes as OpenAPI path items (they are matched by `Router`, so Fastify does not see them). */
export function hubPaths(router: Router): Record<string, Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of router.list()) {
    if (route.options.native) continue;
    const { path, parameters } = openApiPath(route.pattern);
    const item = paths[path] ?? {};
    paths[path] = item;
    for (const method of route.methods) {
      const key = `${method} ${route.pattern}`;
      item[method.toLowerCase()] = {
        summary: route.options.summary ?? HUB_SUMMARIES[key] ?? key,
        description: `Hugging Face Hub protocol, matched on the raw path: \`${route.pattern}\``,
        tags: ["hub"],
        security: [{}, { bearer: [] }],
        ...(parameters.length > 0 ? { parameters } : {}),
        responses: {
          "200": { description: "As the Hugging Face Hub answers" },
          "4XX": {
            description: "An error: X-Error-Code and X-Error-Message headers and `{error, code}`",
            content: { "application/json": { schema: { $ref: "#/components/schemas/HangarError" } } },
          },
        },
      };
    }
  }
  return paths;
}

/**
 * `GET /openapi.json` (OpenAPI 3.1, from the native routes' schemas and the Hub's route table) and
 * `GET /docs`, the API reference rendered from it by Swagger UI, whose assets are served from the package
 * (nothing is fetched from a CDN). Registered on the root before the routes: the document lists the routes
 * registered after it, and `app.swagger()` is the root's.
 */
export function registerOpenApi(app: FastifyInstance, router: Router): void {
  app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Hangar",
        version: VERSION,
        description:
          "Hangar's own API (`/v1/...`) and the Hugging Face Hub protocol it serves. Errors carry " +
          "`X-Error-Code` and `X-Error-Message` headers and a JSON body `{error, code}` (OpenAI's shape on " +
          "the OpenAI-compatible routes).",
      },
      components: {
        securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "A Hangar token" } },
        schemas: {
          HangarError: {
            type: "object",
            properties: { error: { type: "string" }, code: { type: "string" } },
            required: ["error", "code"],
          },
        },
      },
      paths: hubPaths(router),
    },
  });
  app.register(fastifySwaggerUi, {
    routePrefix: "/docs",
    uiConfig: { validatorUrl: null },
    theme: { title: "Hangar API reference" },
  });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}
