import { availableParallelism, cpus, loadavg, totalmem } from "node:os";

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGB: number;
  node: string;
  /** 1-minute load average: figures taken while other work loads the machine are not comparable. */
  loadAverage: number;
}

export function machineInfo(): MachineInfo {
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: availableParallelism(),
    memoryGB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
  };
}

/** One line naming the machine and how busy it is, printed above a benchmark's tables. */
export function describeMachine(info: MachineInfo): string {
  return `Machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGB} GB, Node ${info.node}, load average ${info.loadAverage}${
    info.loadAverage > info.cores ? " (busy: other work competes for the CPU, figures are noisy)" : ""
  }`;
}

/** One line with the 1-minute load average now, printed beside a benchmark's figures. */
export function printLoad(when: string): void {
  process.stdout.write(`Load average ${when}: ${machineInfo().loadAverage}\n`);
}
