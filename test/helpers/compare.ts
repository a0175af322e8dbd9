// What the compare tests (test/integration/compare-*.test.ts) share: the catalog snapshot's models they compare,
// and POST /v1/compare.

/** Three BERT-family question-answering models of the catalog snapshot. */
export const BASE = "deepset/roberta-base-squad2";
export const TINY = "deepset/tinyroberta-squad2";
export const DISTIL = "distilbert/distilbert-base-cased-distilled-squad";
export const BERT_FAMILY = [BASE, TINY, DISTIL];
/** A 70B model of the catalog snapshot, too big for small GPUs. */
export const BIG_LLM = "meta-llama/Llama-3.1-70B-Instruct";

/** POST /v1/compare with `body`, as `token`'s owner if given; the answer and its parsed JSON body. */
export async function postCompare(url: string, body: unknown, token?: string) {
  const response = await fetch(`${url}/v1/compare`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { response, json: (await response.json()) as Record<string, unknown> };
}
