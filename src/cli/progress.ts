import type { CliOutput } from "./command.ts";

/**
 * A one-line progress bar on stderr. It draws only on a terminal, at most ten times a second, so piped
 * output and CI logs stay clean.
 */
export class ProgressBar {
  private lastDraw = 0;
  private readonly enabled: boolean;

  constructor(
    private readonly stream: CliOutput,
    private readonly label: string,
  ) {
    this.enabled = Boolean(stream.isTTY);
  }

  update(done: number, total: number, detail = ""): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && done < total) return;
    this.lastDraw = now;
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const width = 30;
    const filled = Math.round(ratio * width);
    const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
    this.stream.write(`\r${this.label} ${bar} ${(ratio * 100).toFixed(0).padStart(3)}% ${detail}\x1b[K`);
  }

  finish(): void {
    if (this.enabled) this.stream.write("\r\x1b[K");
  }
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
