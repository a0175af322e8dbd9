import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { HangarError } from "../../core/errors.ts";
import { parseRepoId } from "../../core/validate.ts";
import { compareModels } from "../../discovery/compare/compare-models.ts";
import { COMPARE_OPTIONS, criteriaFromOptions } from "../../discovery/compare/compare-options.ts";
import { parseSearchRequest } from "../../discovery/parse-search-request.ts";
import { MAX_RECOMMEND_LIMIT, recommendModels } from "../../discovery/recommend/recommend-models.ts";
import { searchModels } from "../../discovery/search-models.ts";
import { MAX_PAGE_SIZE, SEARCH_SORTS } from "../../discovery/search-params.ts";
import type { Hangar } from "../../hangar.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import { getRepo } from "../../hub/read/get-repo.ts";
import { endpointModelName } from "../../inference/endpoints/endpoint-fleet.ts";

/**
 * Hangar's tools for agents (the Model Context Protocol), one server per caller: over stdio (`hangar mcp`)
 * and over Streamable HTTP at `/mcp` (`mcp-route.ts`), where the caller is the bearer token's user, or
 * anonymous (public repos only). Every tool calls the service function the matching HTTP route calls, with
 * the same caller, so it sees exactly what that caller may read; answers are the service's JSON.
 */

/** The files listed by get_model, at most (a model can have thousands). */
const LISTED_FILES = 200;

export const MCP_TOOL_NAMES = [
  "search_models",
  "get_model",
  "compare_models",
  "recommend_models",
  "run_inference",
  "list_endpoints",
] as const;

export interface CreateMcpServerParams {
  hangar: Hangar;
  /** Whose view of the hub the tools have: null is anonymous (public repos only). */
  caller: Caller;
  /** The HTTP routes list_endpoints lists (`NATIVE_ROUTES`, passed in: that module registers this server's route). */
  routes: ReadonlyArray<{ method: string; url: string }>;
}

/** The answer of a tool: its JSON as text, which every client shows and every agent can read. */
function answer(value: unknown): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value, null, 1) }] };
}

/**
 * Runs a tool's work; an error a caller can cause becomes a tool error (`isError`) with Hangar's stable code
 * and its message, so the agent can correct its call. Other errors are not described (they may hold internals).
 */
async function run(work: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    return answer(await work());
  } catch (error) {
    const text = HangarError.isInstance(error)
      ? `${error.code}: ${error.message}`
      : "HANGAR_ERR_INTERNAL: the tool failed; see the server's log";
    return { isError: true, content: [{ type: "text", text }] };
  }
}

const SEARCH_INPUT = {
  q: z
    .string()
    .optional()
    .describe('Free text matched against ids, descriptions and tags, e.g. "german sentiment"'),
  task: z
    .array(z.string())
    .optional()
    .describe('Tasks from @huggingface/tasks, any of them, e.g. ["text-classification"]'),
  library: z.array(z.string()).optional().describe('Libraries, e.g. ["transformers", "onnx", "gguf"]'),
  language: z.array(z.string()).optional().describe('Language codes, e.g. ["en", "de"]'),
  license: z.array(z.string()).optional().describe('Licence ids, e.g. ["apache-2.0", "mit"]'),
  commercial: z.boolean().optional().describe("true: only models whose licence allows commercial use"),
  author: z.array(z.string()).optional().describe("Authors or organisations"),
  params_min: z.string().optional().describe('Fewest parameters, e.g. "100M"'),
  params_max: z.string().optional().describe('Most parameters, e.g. "7B"'),
  runs_locally: z.boolean().optional().describe("true: only models Hangar can run on this machine"),
  sort: z.enum(SEARCH_SORTS).optional().describe("Order of the results; relevance by default"),
  limit: z.number().int().min(1).max(MAX_PAGE_SIZE).optional().describe("Results per page (default 20)"),
  page: z.number().int().min(1).optional().describe("1-based page"),
};

const COMPARE_INPUT = {
  models: z.array(z.string()).min(2).max(10).describe('Model ids to compare, e.g. ["org/a", "org/b"]'),
  ...Object.fromEntries(
    COMPARE_OPTIONS.filter((option) => !option.field.includes(".")).map((option) => [
      option.field,
      (option.value === "number" ? z.number() : z.string()).optional().describe(option.description),
    ]),
  ),
};

export function createMcpServer(params: CreateMcpServerParams): McpServer {
  const { hangar, caller, routes } = params;
  const server = new McpServer(
    { name: "hangar", version: "0.1.0" },
    {
      instructions:
        "Hangar is a model hub and inference gateway. Find models with search_models or recommend_models " +
        "(a plain-language description of the job), inspect one with get_model, weigh a few with " +
        "compare_models, and run one with run_inference; list_endpoints says what this server runs and serves.",
    },
  );

  server.registerTool(
    "search_models",
    {
      title: "Search models",
      description:
        "Search the hub's models by free text and filters (task, library, language, licence, commercial use, " +
        "author, parameter count, runs locally). Returns the total and one page of hits, each with its id, " +
        "task, licence, languages, size, downloads and likes. Use the ids with get_model, compare_models or " +
        "run_inference.",
      inputSchema: SEARCH_INPUT,
    },
    (input) =>
      run(async () => {
        // The same parameters as GET /v1/discover, read and checked by the same parser.
        const values = new Map<string, string[]>();
        for (const [name, value] of Object.entries(input)) {
          if (value === undefined) continue;
          values.set(name, Array.isArray(value) ? value.map(String) : [String(value)]);
        }
        const search = parseSearchRequest(new Set(values.keys()), (name) => values.get(name) ?? []);
        const result = await searchModels(hangar, { ...search, facets: false, insights: false, caller });
        return {
          total: result.total,
          page: result.page,
          limit: result.limit,
          sort: result.sort,
          results: result.results.map(({ score: _score, explain: _explain, ...hit }) => hit),
        };
      }),
  );

  server.registerTool(
    "get_model",
    {
      title: "Model details",
      description:
        "Everything Hangar knows about one model: description, task, licence and whether it allows commercial " +
        "use, languages, parameters, memory needed per precision and the devices it fits on, evaluation " +
        "results, downloads, likes, its head commit and its files.",
      inputSchema: {
        id: z.string().describe('The model id, "namespace/name"'),
        revision: z.string().optional().describe("A branch, tag or commit id; the default branch if absent"),
      },
    },
    ({ id, revision }) =>
      run(async () => {
        const details = await getRepo(hangar, caller, {
          ref: parseRepoId(id, "model"),
          ...(revision ? { revision } : {}),
        });
        const { repo } = details;
        return {
          id: repo.id,
          private: repo.private,
          gated: repo.gated,
          sha: details.commit?.oid ?? repo.sha,
          lastModified: repo.lastModified,
          downloads: repo.downloads,
          likes: repo.likes,
          ...details.summary,
          files: details.files.slice(0, LISTED_FILES).map((file) => ({ path: file.path, size: file.size })),
          fileCount: details.files.length,
        };
      }),
  );

  server.registerTool(
    "compare_models",
    {
      title: "Compare models",
      description:
        "Compare 2 to 10 models side by side: size, memory, hardware fit, licence, languages, quality from " +
        "cards and Hangar's own evaluations, estimated or measured speed and cost, with the best pick for " +
        "speed, quality, cost and overall and the reason for each.",
      inputSchema: COMPARE_INPUT,
    },
    (input) =>
      run(async () => {
        const options = input as Record<string, unknown>;
        const criteria = criteriaFromOptions(
          (option) => options[option.field],
          (option) => option.field,
        );
        return compareModels(hangar, caller, { models: input.models, criteria });
      }),
  );

  server.registerTool(
    "recommend_models",
    {
      title: "Recommend models for a job",
      description:
        "Recommend models for a job described in plain language, with its constraints in the same sentence " +
        '("classify support tickets by urgency, English and German, commercial use, under 500 MB, CPU only"). ' +
        "Returns the likely tasks with confidences (when unsure, `lowConfidence` and `choices`: ask the user " +
        "which task they mean), the constraints read, ranked candidates with checkable reasons, and alternatives.",
      inputSchema: {
        description: z.string().min(1).describe("The job, in the user's own words"),
        limit: z.number().int().min(1).max(MAX_RECOMMEND_LIMIT).optional().describe("How many candidates"),
      },
    },
    ({ description, limit }) =>
      run(() => recommendModels(hangar, caller, { description, ...(limit !== undefined ? { limit } : {}) })),
  );

  server.registerTool(
    "run_inference",
    {
      title: "Run a model",
      description:
        "Run a model this server can run (see list_endpoints) on inputs, as POST /v1/inference/{task} does: " +
        'text-classification and token-classification take a string, question-answering {"question", ' +
        '"context"}, zero-shot-classification a string with parameters {"candidate_labels": [...]}, ' +
        "feature-extraction a string or a list, text-generation a prompt with parameters such as " +
        '{"max_new_tokens": 50}. Returns the outputs, usage and the revision that ran.',
      inputSchema: {
        model: z.string().describe('The model id, "namespace/name"'),
        task: z.string().optional().describe("The task to run; the model's own task if absent"),
        inputs: z.unknown().describe("The inputs, in the task's shape"),
        parameters: z.record(z.string(), z.unknown()).optional().describe("The task's parameters"),
        revision: z.string().optional().describe("A branch, tag or commit id; main if absent"),
      },
    },
    ({ model, task, inputs, parameters, revision }) =>
      run(() =>
        hangar.inference.run({
          caller,
          model,
          ...(task ? { task } : {}),
          ...(revision ? { revision } : {}),
          inputs,
          parameters: parameters ?? {},
          body: { inputs, ...(parameters ? { parameters } : {}) },
          api: "mcp",
        }),
      ),
  );

  server.registerTool(
    "list_endpoints",
    {
      title: "List endpoints and routes",
      description:
        "What this Hangar runs and serves: the models it can run (what GET /v1/models lists, with their " +
        "tasks and revisions), its inference routes (model names routed to deployments), the inference " +
        "endpoints the caller may see (state, replicas, model; call one as model endpoints/{namespace}/{name}) " +
        "and its HTTP API routes (method and path; /openapi.json describes them all).",
      inputSchema: {},
    },
    () =>
      run(async () => ({
        runnableModels: await hangar.inference.listRunnableModels(caller),
        inferenceRoutes: hangar.inference.router.current().routes.map((route) => ({
          name: route.name,
          policy: route.policy,
          deployments: route.deployments.map((deployment) => ({
            backend: deployment.backend,
            model: deployment.model,
          })),
        })),
        inferenceEndpoints: (await hangar.endpoints.listVisible(caller)).map((view) => ({
          name: `${view.record.namespace}/${view.record.name}`,
          model: endpointModelName(view.record.namespace, view.record.name),
          state: view.record.state,
          repository: view.record.spec.model.repository,
          revision: view.record.spec.model.revision,
          task: view.record.spec.model.task,
          vendor: view.record.spec.provider.vendor,
          replicas: {
            ready: view.readyReplicas,
            min: view.record.spec.compute.scaling.minReplica,
            max: view.record.spec.compute.scaling.maxReplica,
          },
          url: `/endpoints/${view.record.namespace}/${view.record.name}`,
        })),
        routes,
        openApi: "/openapi.json",
      })),
  );

  return server;
}
