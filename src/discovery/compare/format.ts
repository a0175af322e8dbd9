/** Short human forms of the numbers compare and recommend put into sentences. */

export function formatCount(value: number): string {
  const units: Array<[number, string]> = [
    [1e12, "T"],
    [1e9, "B"],
    [1e6, "M"],
    [1e3, "K"],
  ];
  for (const [size, unit] of units) {
    if (value >= size) return `${trim(value / size)}${unit}`;
  }
  return String(Math.round(value));
}

export function formatBytes(bytes: number): string {
  const units: Array<[number, string]> = [
    [1e12, "TB"],
    [1e9, "GB"],
    [1e6, "MB"],
    [1e3, "kB"],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) return `${trim(bytes / size)} ${unit}`;
  }
  return `${bytes} B`;
}

export function formatMs(ms: number): string {
  if (ms >= 1000) return `${trim(ms / 1000)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${trim(ms, 2)} ms`;
}

export function formatUsd(value: number): string {
  if (value === 0) return "$0";
  if (value >= 100) return `$${Math.round(value)}`;
  if (value >= 1) return `$${value.toFixed(2)}`;
  // Small amounts keep two significant digits so tiny costs still compare.
  return `$${value.toPrecision(2)}`;
}

/** Requests (or tokens) per second: whole and grouped from 100 on ("1,139"), else three digits ("8.52"). */
export function formatRate(perSecond: number): string {
  if (perSecond >= 100) return Math.round(perSecond).toLocaleString("en");
  return String(Number(perSecond.toPrecision(3)));
}

/** A ratio ≥ 1 as "1.5×". */
export function formatRatio(ratio: number): string {
  return `${trim(ratio, ratio >= 10 ? 0 : ratio >= 1.995 ? 1 : 2)}×`;
}

export function formatScore(value: number): string {
  return trim(value, 2);
}

function trim(value: number, digits = 1): string {
  return String(Number(value.toFixed(digits)));
}
