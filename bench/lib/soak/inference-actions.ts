import { type Action, type ClientContext, judge, maybeAuth, pick } from "./client-context.ts";
import type { Answer } from "./http.ts";

const SENTENCES = [
  "I loved this film, the acting was wonderful.",
  "The service was slow and the food arrived cold.",
  "Alice moved from Paris to Berlin to work for Siemens.",
  "The weather in London is mild in spring.",
  "This product broke after two days, a waste of money.",
  "Bob met Carol at the conference in Tokyo last year.",
];

function inference(
  kind: string,
  weight: number,
  request: (context: ClientContext) => { path: string; body: unknown },
  check: (answer: Answer) => string | undefined,
): Action {
  return {
    kind,
    weight,
    run: async (context) => {
      const { path, body } = request(context);
      const answer = await context.http.send({
        path,
        method: "POST",
        headers: { ...maybeAuth(context), "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      return judge(`POST ${path}`, answer, [200], check);
    },
  };
}

export const inferences: Action[] = [
  inference(
    "inference text-classification",
    4,
    (context) => ({
      path: "/v1/inference/text-classification",
      body: { model: "hangar/sentiment-tiny", inputs: pick(context, SENTENCES) },
    }),
    (answer) => (Array.isArray(answer.json<{ outputs?: unknown }>().outputs) ? undefined : "no outputs"),
  ),
  inference(
    "inference token-classification",
    2,
    (context) => ({
      path: "/v1/inference/token-classification",
      body: { model: "hangar/ner-tiny", inputs: pick(context, SENTENCES) },
    }),
    (answer) => (Array.isArray(answer.json<{ outputs?: unknown }>().outputs) ? undefined : "no outputs"),
  ),
  inference(
    "inference feature-extraction (Hub route)",
    3,
    (context) => ({ path: "/models/hangar/embedder-tiny", body: { inputs: pick(context, SENTENCES) } }),
    (answer) => (Array.isArray(answer.json()) ? undefined : "not a vector"),
  ),
  inference(
    "inference /v1/embeddings",
    2,
    (context) => ({
      path: "/v1/embeddings",
      body: { model: "hangar/embedder-tiny", input: [pick(context, SENTENCES), pick(context, SENTENCES)] },
    }),
    (answer) => (answer.json<{ data?: unknown[] }>().data?.length === 2 ? undefined : "not 2 embeddings"),
  ),
  inference(
    "inference /v1/chat/completions",
    2,
    (context) => ({
      path: "/v1/chat/completions",
      body: {
        model: "hangar/generator-tiny",
        messages: [{ role: "user", content: pick(context, SENTENCES) }],
        max_tokens: 16,
      },
    }),
    (answer) => (answer.json<{ choices?: unknown[] }>().choices?.length ? undefined : "no choices"),
  ),
];
