import { badRequest } from "./errors.ts";

/** Decimal digits only: `Number` would also take "1e6", "0x10", " 5" and "1.0" for whole numbers. */
const DECIMAL_INTEGER = /^\d+$/;

/** A whole number of 0 or more from a setting; unset or empty: undefined. */
export function parseCount(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const count = DECIMAL_INTEGER.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(count) || count < 0) {
    throw badRequest(`${name} must be a non-negative integer, got "${value}"`);
  }
  return count;
}

/** A whole number of 1 or more from a setting; unset or blank: undefined. */
export function parsePositive(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const size = DECIMAL_INTEGER.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(size) || size <= 0) {
    throw badRequest(`${name} must be a positive integer, got "${value}"`);
  }
  return size;
}

/** A TCP port, 0 to 65535 (0: any free port). */
export function parsePort(value: string | number, source: string): number {
  // Number("") is 0, which would silently pick a random port.
  const port = typeof value === "number" ? value : value.trim() === "" ? Number.NaN : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw badRequest(`${source} must be an integer from 0 to 65535, got "${value}"`);
  }
  return port;
}

/** `{ [key]: value }` when the value is set, else nothing, for spreading into an object (a config, a request). */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Only the settings that are set, so that the others keep their defaults when merged. */
export function setOnly<T extends object>(settings: { [K in keyof T]?: T[K] | undefined }): Partial<T> {
  return Object.fromEntries(
    Object.entries(settings).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
