import { badRequest } from "../core/errors.ts";

/**
 * The class names a dataset card declares for a column, as the `datasets` library writes them into the
 * card's `dataset_info`: a feature whose type is a `class_label` stores class ids (0, 1, ...) in the data
 * files, and its `names` say what each id means. Found directly (`dtype: {class_label}`), or for lists of
 * labels such as NER tags under `sequence` (datasets before 4) or `list` (datasets 4).
 *
 * A card with several configurations is read only when one of them is `default` or there is just one:
 * otherwise the names could belong to another configuration's files.
 */
export function classNamesOf(
  cardData: Record<string, unknown> | undefined,
  column: string,
): string[] | undefined {
  const info = chooseConfig(cardData?.dataset_info);
  if (!info || !Array.isArray(info.features)) return undefined;
  const feature = info.features.find(
    (entry): entry is Record<string, unknown> => isObject(entry) && entry.name === column,
  );
  if (!feature) return undefined;
  const declared =
    classLabel(feature) ??
    classLabel(feature.dtype) ??
    classLabel(feature.sequence) ??
    classLabel(feature.list) ??
    (isObject(feature.sequence) ? classLabel(feature.sequence.feature) : undefined);
  return declared ? namesOf(declared.names) : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function chooseConfig(value: unknown): Record<string, unknown> | undefined {
  if (isObject(value)) return value;
  if (!Array.isArray(value)) return undefined;
  const configs = value.filter(isObject);
  return configs.length === 1 ? configs[0] : configs.find((config) => config.config_name === "default");
}

function classLabel(value: unknown): Record<string, unknown> | undefined {
  return isObject(value) && isObject(value.class_label) ? value.class_label : undefined;
}

/** `names` as a list, or as a mapping of ids ('0': O, '1': B-PER); undefined when ids are missing or repeated. */
function namesOf(names: unknown): string[] | undefined {
  if (Array.isArray(names)) return names.every((name) => typeof name === "string") ? names : undefined;
  if (!isObject(names)) return undefined;
  const entries = Object.entries(names);
  const byId: string[] = [];
  for (const [id, name] of entries) {
    if (!/^(0|[1-9]\d*)$/.test(id) || typeof name !== "string" || Number(id) >= entries.length)
      return undefined;
    byId[Number(id)] = name;
  }
  for (let id = 0; id < entries.length; id++) if (byId[id] === undefined) return undefined;
  return byId;
}

/**
 * The name of class id `value` (a number, or a string of digits as CSV holds it), or undefined when the
 * value is no id of `names`.
 */
export function className(names: readonly string[], value: unknown): string | undefined {
  const id = typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof id === "number" && Number.isInteger(id) && id >= 0 ? names[id] : undefined;
}

/** The name of class id `value`; a 400 when `where` (a row's cell) holds an id the card does not name. */
export function requireClassName(names: readonly string[], value: unknown, where: string): string {
  const name = className(names, value);
  if (name === undefined) {
    throw badRequest(`${where} is not one of the ${names.length} class ids the dataset card names`);
  }
  return name;
}

/** What a run's notes say when its `what` ids were read as the card's class names. */
export function classIdsNote(what: "tag" | "label", names: readonly string[]): string {
  return `${what} ids read as the class names of the dataset card: ${names.join(", ")}`;
}
