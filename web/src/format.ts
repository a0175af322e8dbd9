/** How numbers, sizes and dates read in the UI. */

const grouped = new Intl.NumberFormat("en");

/**
 * A number with thousands separators (1,234,567). One formatter made once: `toLocaleString("en")` builds
 * a new one per call (about 0.2 ms in Chromium), which the Explorer's hundred-odd facet counts felt.
 */
export function formatNumber(value: number): string {
  return grouped.format(value);
}

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  if (value >= 1e12) return `${trim(value / 1e12)}T`;
  if (value >= 1e9) return `${trim(value / 1e9)}B`;
  if (value >= 1e6) return `${trim(value / 1e6)}M`;
  if (value >= 1e3) return `${trim(value / 1e3)}K`;
  return String(value);
}

export function formatBytes(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let size = value;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit++;
  }
  return `${unit === 0 ? size : trim(size)} ${units[unit]}`;
}

function trim(value: number): string {
  return value >= 100
    ? value.toFixed(0)
    : value >= 10
      ? value.toFixed(1).replace(/\.0$/, "")
      : value.toFixed(2).replace(/\.?0+$/, "");
}

export function formatAge(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "—";
  const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
  const steps: Array<[number, string]> = [
    [60, "second"],
    [60, "minute"],
    [24, "hour"],
    [30, "day"],
    [12, "month"],
    [Number.POSITIVE_INFINITY, "year"],
  ];
  let amount = seconds;
  for (const [size, name] of steps) {
    if (amount < size) {
      const whole = Math.floor(amount);
      return whole <= 1 && name === "second" ? "just now" : `${whole} ${name}${whole === 1 ? "" : "s"} ago`;
    }
    amount /= size;
  }
  return "—";
}

export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return value >= 1000
    ? `${(value / 1000).toFixed(2)} s`
    : `${value >= 10 ? value.toFixed(0) : value.toFixed(2)} ms`;
}

export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  if (value === 0) return "$0";
  if (value < 0.01) return `$${value.toPrecision(2)}`;
  return `$${value.toFixed(2)}`;
}
