import { PIPELINE_DATA } from "@huggingface/tasks";
import { badRequest } from "../../core/errors.ts";
import { type CompareCriteria, DTYPES, type ProviderPrice, WEIGHT_NAMES } from "./comparison.ts";

/**
 * One option of a comparison, under the name the API gives it (a field of the body or of its `criteria`; a
 * dotted name is a field of an object there) and the flag the CLI gives it. One table for both, so that
 * `hangar compare --weights speed=2` and `POST /v1/compare {"weights": "speed=2"}` mean the same.
 */
export interface CompareOption {
  field: string;
  flag: string;
  /** `text`, a `number` (written as a number or in text), or `weights` (`speed=1,quality=2` or an object). */
  value: "text" | "number" | "weights";
  valueName: string;
  description: string;
}

export const COMPARE_OPTIONS: readonly CompareOption[] = [
  {
    field: "task",
    flag: "task",
    value: "text",
    valueName: "TASK",
    description: "Task every model should do, e.g. text-classification",
  },
  {
    field: "hardware",
    flag: "hardware",
    value: "text",
    valueName: "NAME",
    description:
      "Device for fit, speed and cost (SKUS of @huggingface/tasks: T4, A10, A100, RTX 4090, cpu...)",
  },
  {
    field: "dtype",
    flag: "dtype",
    value: "text",
    valueName: "DTYPE",
    description: "Precision for memory and fit: F32, F16, INT8, INT4",
  },
  {
    field: "weights",
    flag: "weights",
    value: "weights",
    valueName: "LIST",
    description: `Weights of the overall score, e.g. speed=1,quality=2 (names: ${WEIGHT_NAMES.join(", ")}; unnamed count 0; default speed=1,quality=1,cost=1)`,
  },
  {
    field: "tokensPerRequest",
    flag: "tokens-per-request",
    value: "number",
    valueName: "N",
    description: "Tokens per request for estimates",
  },
  {
    field: "requestsPerMonth",
    flag: "requests-per-month",
    value: "number",
    valueName: "N",
    description: "Requests a month, for a monthly cost",
  },
  {
    field: "pricePerHour",
    flag: "price-per-hour",
    value: "number",
    valueName: "USD",
    description: "Hardware price in USD per hour (default: an ownership estimate)",
  },
  {
    field: "provider.name",
    flag: "provider",
    value: "text",
    valueName: "NAME",
    description: "A hosted provider to price requests at instead of hardware (give one of its prices)",
  },
  {
    field: "provider.pricePer1kRequests",
    flag: "provider-price-per-1k-requests",
    value: "number",
    valueName: "USD",
    description: "The provider's price per 1,000 requests",
  },
  {
    field: "provider.pricePerMillionTokens",
    flag: "provider-price-per-million-tokens",
    value: "number",
    valueName: "USD",
    description: "The provider's price per million tokens",
  },
];

/** The API's top-level criteria fields (`provider` is an object of the `provider.*` options). */
export const CRITERIA_FIELDS: readonly string[] = [
  ...new Set(COMPARE_OPTIONS.map((option) => option.field.split(".")[0]!)),
];

/** The fields of an object criterion (`provider`) in the API. */
export function subFields(field: string): string[] {
  return COMPARE_OPTIONS.filter((option) => option.field.startsWith(`${field}.`)).map(
    (option) => option.field.split(".")[1]!,
  );
}

/** `speed=1,quality=2` or `{"speed": 1, "quality": 2}`; names are checked by compare (400 naming the valid ones). */
export function parseWeights(value: unknown, shown: string): Record<string, number> {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    return value as Record<string, number>;
  }
  const usage = `${shown} takes name=number pairs separated by commas (names: ${WEIGHT_NAMES.join(", ")})`;
  if (typeof value !== "string")
    throw badRequest(`${usage}, or an object such as {"speed": 1, "quality": 2}`);
  const weights: Record<string, number> = {};
  for (const pair of value.split(",").filter((part) => part.trim() !== "")) {
    const [name, text, ...extra] = pair.split("=").map((part) => part.trim());
    const number = Number(text);
    if (!name || text === undefined || text === "" || extra.length > 0 || !Number.isFinite(number)) {
      throw badRequest(`${usage}, got "${pair}"`);
    }
    weights[name] = number;
  }
  return weights;
}

function optionValue(option: CompareOption, value: unknown, shown: string): unknown {
  if (option.value === "weights") return parseWeights(value, shown);
  if (option.value === "text") {
    if (typeof value !== "string") throw badRequest(`${shown} must be a string`);
    return value;
  }
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isFinite(number) || number <= 0) {
    throw badRequest(`${shown} must be a number above 0`);
  }
  return number;
}

/**
 * Compare's criteria from option values: `read` gives an option's value (a CLI flag, an API field) or
 * undefined, `shown` the name errors call it by.
 */
export function criteriaFromOptions(
  read: (option: CompareOption) => unknown,
  shown: (option: CompareOption) => string,
): CompareCriteria {
  const criteria: Record<string, unknown> = {};
  const provider: Record<string, unknown> = {};
  for (const option of COMPARE_OPTIONS) {
    const value = read(option);
    if (value === undefined) continue;
    const parsed = optionValue(option, value, shown(option));
    const [field, subField] = option.field.split(".") as [string, string | undefined];
    if (subField) provider[subField] = parsed;
    else criteria[field] = parsed;
  }
  if (Object.keys(provider).length > 0) criteria.provider = provider as unknown as ProviderPrice;
  return criteria as CompareCriteria;
}

/** Refuses criteria that name an unknown task, dtype or weight, or a number out of range. */
export function validateCriteria(criteria: CompareCriteria): void {
  if (criteria.task !== undefined && !Object.hasOwn(PIPELINE_DATA, criteria.task)) {
    throw badRequest(
      `Unknown task "${criteria.task}": use a task id of @huggingface/tasks (e.g. text-classification, ` +
        "question-answering, text-generation, automatic-speech-recognition)",
    );
  }
  if (criteria.dtype !== undefined && !(DTYPES as readonly string[]).includes(criteria.dtype.toUpperCase())) {
    throw badRequest(`Unknown dtype "${criteria.dtype}": valid dtypes are ${DTYPES.join(", ")}`);
  }
  for (const [name, value] of Object.entries(criteria.weights ?? {})) {
    if (!(WEIGHT_NAMES as readonly string[]).includes(name)) {
      throw badRequest(`Unknown weight "${name}": valid weights are ${WEIGHT_NAMES.join(", ")}`);
    }
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw badRequest(`Weight "${name}" must be a number ≥ 0`);
    }
  }
  if (criteria.weights && Object.values(criteria.weights).every((value) => value === 0)) {
    throw badRequest(`At least one weight must be above 0 (weights: ${WEIGHT_NAMES.join(", ")})`);
  }
  const positive = (name: string, value: unknown) => {
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value) || value <= 0)) {
      throw badRequest(`${name} must be a number above 0`);
    }
  };
  positive("tokensPerRequest", criteria.tokensPerRequest);
  positive("requestsPerMonth", criteria.requestsPerMonth);
  positive("pricePerHour", criteria.pricePerHour);
  if (criteria.provider !== undefined) {
    if (typeof criteria.provider.name !== "string" || criteria.provider.name === "") {
      throw badRequest("provider.name is required when a provider is given");
    }
    positive("provider.pricePer1kRequests", criteria.provider.pricePer1kRequests);
    positive("provider.pricePerMillionTokens", criteria.provider.pricePerMillionTokens);
    if (
      criteria.provider.pricePer1kRequests === undefined &&
      criteria.provider.pricePerMillionTokens === undefined
    ) {
      throw badRequest(
        "provider needs pricePer1kRequests or pricePerMillionTokens: Hangar holds no provider price list",
      );
    }
  }
}
