import { readFileSync } from "node:fs";

export interface ProcessMemory {
  /** Resident set size now, in bytes (VmRSS). */
  rss: number;
  /** Peak resident set size since the process started, in bytes (VmHWM). */
  highWaterMark: number;
}

function field(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
  if (!match) throw new Error(`No ${name} in /proc status (is this Linux?)`);
  return Number(match[1]) * 1024;
}

/** Reads a process's memory from /proc/<pid>/status (Linux). */
export function readProcessMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return { rss: field(status, "VmRSS"), highWaterMark: field(status, "VmHWM") };
}

/**
 * Samples a process's RSS on a timer while some work runs. The timer keeps ticking while the sampling
 * process waits on I/O, which is when a benchmark client spends its time.
 */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private peakBytes = 0;
  private sampleCount = 0;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 20,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  private sample(): void {
    try {
      const { rss } = readProcessMemory(this.pid);
      this.peakBytes = Math.max(this.peakBytes, rss);
      this.sampleCount++;
    } catch {
      // The process may have exited between two samples; the peak so far stands.
    }
  }

  /** Stops sampling and returns the highest RSS seen, in bytes. */
  stop(): { peak: number; samples: number } {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    return { peak: this.peakBytes, samples: this.sampleCount };
  }
}
