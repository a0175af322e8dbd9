// Downloads of one file from several servers in alternating rounds, with each server's CPU seconds per GB
// and the ratios of every server to the first two (nginx and the bare Node.js server), for `bench:hub`.
import { download } from "./http-client.ts";
import { RssSampler, readProcessCpuSeconds, readProcessMemory } from "./rss.ts";
import { median, megabytesPerSecond, round } from "./stats.ts";
import { printTable } from "./table.ts";

const GB = 1024 ** 3;

/** A server the same file is downloaded from, with the process whose CPU the bytes cost. */
export interface DownloadTarget {
  name: string;
  url: string;
  /** Processes whose CPU seconds are counted (Hangar alone, or Hangar and the S3 server it redirects to). */
  pids: number[];
  /** Hangar processes: their RSS is sampled while they stream. */
  sampleRss?: boolean;
}

interface TargetRound {
  mbps: number;
  /** Server CPU seconds per GB sent (every process of `pids`). */
  cpu: number;
  /** The same for the first process of `pids` alone (Hangar, without the S3 server). */
  ownCpu: number;
}

export interface DownloadFigures {
  names: string[];
  rounds: TargetRound[][];
  /** Per target: median MB/s, median CPU s/GB. */
  medians: TargetRound[];
  /** Per target: median over rounds of its MB/s divided by the first target's (nginx) in the same round. */
  ratioToFirst: number[];
  /** Per target: the same against the second target (the bare Node.js server). */
  ratioToSecond: number[];
  idleRss: number;
  peakRss: number;
  highWaterMark: number;
}

function cpuOf(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + readProcessCpuSeconds(pid), 0);
}

/**
 * Downloads the file from each target in turn, `rounds` times (so every round sees about the same load on
 * the machine), sampling the RSS of `rssPid` while Hangar targets stream.
 */
export async function measureDownloads(
  targets: DownloadTarget[],
  options: { rounds: number; fileSize: number; rssPid: number },
): Promise<DownloadFigures> {
  const { rounds: roundCount, fileSize: FILE_SIZE, rssPid } = options;
  const idle = readProcessMemory(rssPid);
  const rounds: TargetRound[][] = [];
  let peakRss = 0;
  for (let index = 1; index <= roundCount; index++) {
    const row: TargetRound[] = [];
    for (const target of targets) {
      const sampler = target.sampleRss ? new RssSampler(rssPid) : undefined;
      sampler?.start();
      const cpuBefore = cpuOf(target.pids);
      const ownBefore = cpuOf(target.pids.slice(0, 1));
      const result = await download(target.url);
      const cpu = cpuOf(target.pids) - cpuBefore;
      const ownCpu = cpuOf(target.pids.slice(0, 1)) - ownBefore;
      if (sampler) peakRss = Math.max(peakRss, sampler.stop().peak);
      if (result.status !== 200 || result.bytes !== FILE_SIZE) {
        throw new Error(
          `${target.name} answered ${result.status} with ${result.bytes} of ${FILE_SIZE} bytes`,
        );
      }
      row.push({
        mbps: round(megabytesPerSecond(result.bytes, result.seconds), 0),
        cpu: round(cpu / (FILE_SIZE / GB), 2),
        ownCpu: round(ownCpu / (FILE_SIZE / GB), 2),
      });
    }
    rounds.push(row);
  }
  const ratioTo = (base: number) =>
    targets.map((_, column) => round(median(rounds.map((row) => row[column]!.mbps / row[base]!.mbps)), 3));
  return {
    names: targets.map((target) => target.name),
    rounds,
    medians: targets.map((_, column) => ({
      mbps: round(median(rounds.map((row) => row[column]!.mbps)), 0),
      cpu: round(median(rounds.map((row) => row[column]!.cpu)), 2),
      ownCpu: round(median(rounds.map((row) => row[column]!.ownCpu)), 2),
    })),
    // Each round pairs the servers back to back, so the median of the per-round ratios is the figure least
    // moved by other load on the machine.
    ratioToFirst: ratioTo(0),
    ratioToSecond: ratioTo(1),
    idleRss: idle.rss,
    peakRss,
    highWaterMark: readProcessMemory(rssPid).highWaterMark,
  };
}

export function printDownloads(title: string, figures: DownloadFigures): void {
  printTable(
    `${title}: MB/s per round`,
    ["round", ...figures.names],
    [
      ...figures.rounds.map((row, index) => [index + 1, ...row.map((cell) => cell.mbps)]),
      ["median", ...figures.medians.map((cell) => cell.mbps)],
    ],
  );
  printTable(
    `${title}: medians`,
    ["server", "MB/s", "CPU s/GB", "first process", "/nginx", `/${figures.names[1]}`],
    figures.names.map((name, column) => [
      name,
      figures.medians[column]!.mbps,
      figures.medians[column]!.cpu,
      figures.medians[column]!.ownCpu,
      figures.ratioToFirst[column]!,
      figures.ratioToSecond[column]!,
    ]),
  );
}
