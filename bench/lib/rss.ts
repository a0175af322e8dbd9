import { execFileSync } from "node:child_process";
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

let clockTicksPerSecond: number | undefined;

function clockTicks(): number {
  if (clockTicksPerSecond === undefined) {
    try {
      clockTicksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicksPerSecond = 100;
    }
  }
  return clockTicksPerSecond;
}

/**
 * CPU time a process has used (user + system), in seconds, from /proc/<pid>/stat. Unlike wall-clock
 * throughput, CPU time per byte hardly moves when other work shares the machine.
 */
export function readProcessCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may contain spaces) start after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  return (userTicks + systemTicks) / clockTicks();
}
