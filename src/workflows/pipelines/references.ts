/**
 * References between pipeline values: `${inputs.NAME...}`, `${steps.ID.output...}` and, in a fan-out step,
 * `${item...}`. A string that is one reference is the value itself (any type); references inside longer
 * text are replaced by their text. A field of a list is that field of each element.
 */
export interface Reference {
  /** The reference as written, without `${` `}`. */
  text: string;
  root: "inputs" | "steps" | "item";
  /** The input or step name (empty for `item`). */
  name: string;
  path: string[];
}

const WHOLE = /^\$\{([^}]+)\}$/;
const ANY = /\$\{([^}]+)\}/g;

export function parseReference(text: string): Reference | string {
  const parts = text.trim().split(".");
  const [root, ...rest] = parts;
  if (root === "item") return { text, root, name: "", path: rest };
  if (root === "inputs") {
    if (!rest[0]) return `"${text}" names no input: use \${inputs.NAME}`;
    return { text, root, name: rest[0], path: rest.slice(1) };
  }
  if (root === "steps") {
    if (!rest[0] || rest[1] !== "output")
      return `"${text}" must read a step's output: \${steps.NAME.output...}`;
    return { text, root, name: rest[0], path: rest.slice(2) };
  }
  return `"${text}" must start with inputs., steps. or item`;
}

/** Every reference inside a value (strings, lists, objects), with where it is. */
export function referencesIn(value: unknown): string[] {
  const found: string[] = [];
  const visit = (node: unknown) => {
    if (typeof node === "string") for (const match of node.matchAll(ANY)) found.push(match[1]!);
    else if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === "object") Object.values(node).forEach(visit);
  };
  visit(value);
  return found;
}

/** The value a template stands for, with `lookup` resolving each reference. */
export function fillTemplate(value: unknown, lookup: (reference: string) => unknown): unknown {
  if (typeof value === "string") {
    const whole = WHOLE.exec(value);
    if (whole) return lookup(whole[1]!);
    return value.replace(ANY, (_, reference: string) => {
      const found = lookup(reference);
      return typeof found === "string" ? found : JSON.stringify(found);
    });
  }
  if (Array.isArray(value)) return value.map((item) => fillTemplate(item, lookup));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillTemplate(item, lookup)]));
  }
  return value;
}

/** Walks a path into a value; a field of a list is that field of each element; a number indexes a list. */
export function walk(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (Array.isArray(current)) {
      current = /^\d+$/.test(segment)
        ? current[Number(segment)]
        : current.map((item) => (item as Record<string, unknown> | null)?.[segment]);
    } else if (current && typeof current === "object") {
      current = (current as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

/** Whether the value is one whole reference (`${...}`), and which. */
export function wholeReference(value: string): string | undefined {
  return WHOLE.exec(value)?.[1];
}
