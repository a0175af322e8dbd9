// Requests and dataset files the evaluation tests (test/integration/evaluation-*.test.ts) share.

/** A JSON POST to the hub at `url`; the answer and its parsed JSON body. */
export async function post(url: string, path: string, body: unknown) {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { response, json: (await response.json()) as Record<string, unknown> };
}

/** POST /v1/evaluations of `model` on `dataset`, with every other setting left to its default. */
export const evaluateOn = (url: string, model: string, dataset: string) =>
  post(url, "/v1/evaluations", { model, dataset });

const csvField = (value: string) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
/** A CSV file of a header and rows, fields quoted where they need it. */
export const csv = (header: string[], rows: string[][]) =>
  `${[header, ...rows].map((row) => row.map(csvField).join(",")).join("\n")}\n`;
