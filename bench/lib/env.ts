/** A positive integer from an environment variable (a benchmark knob), or the fallback when unset. */
export function numberFromEnv(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0) throw new Error(`${name} must be a positive integer`);
  return parsed;
}

/** A switch that is on unless the variable is "0". */
export function switchFromEnv(name: string): boolean {
  return process.env[name] !== "0";
}
