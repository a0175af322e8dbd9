// `npm run bench:scan`: scanner throughput next to plainly reading the same bytes in the same run.
// The read baseline reads every byte the way the scanner reads a file (`openFileSource`: 1 MB reads into three
// recycled buffers, one ahead), so the ratio is what the walk costs on top of its own reading. A read through
// `fs.createReadStream` (a fresh buffer per chunk, 2-4x slower here) is shown too, as "stream ratio": the
// baseline of earlier figures, which flattered the scan.
// - a safetensors file (default 1 GB): validated from its header and size, so its time should not grow with
//   the data; the read baseline reads every byte;
// - pickles (default 200 MB each) the scanner walks opcode by opcode (aim: at least 0.5 of read speed):
//   "dense", nothing but lists of small numbers (BININT1, BININT2, BINFLOAT: 4.7 bytes an opcode, 45 million
//   opcodes); "mixed", half float lists and half byte payloads; "tensor-like", 1 MB byte payloads with a
//   little structure, as joblib files are (payloads over 4 MB are seeked over, not read);
// - checkpoints as `torch.save` writes them, with 6 MB, 2 MB and 8 KB float tensors: a legacy (pre-1.6) file
//   (five pickles, then the storages) and a zip (`archive/data.pkl` and one member per storage);
// - the ceiling for the dense pickle: reading it as the baseline does and only stepping from opcode to opcode,
//   numbers with the scanner's own WebAssembly loop, the rest by a table of lengths (no stack, memo or checks).
// Rounds alternate scan and read; medians are reported, wall time and CPU time (a busy machine stretches the
// first, much less the second). Prints tables, then one JSON line; exits 0 when it ran.
// Knobs: SCAN_BENCH_SAFETENSORS_MB (1024), SCAN_BENCH_PICKLE_MB (200), SCAN_BENCH_ROUNDS (5: a read of
// 200 MB from the page cache takes 20-60 ms, so one preemption on a busy machine moves a round's ratio by half).
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { scanFile } from "../src/governance/scan/index.ts";
import { numberFromEnv } from "./lib/env.ts";
import { describeMachine, machineInfo } from "./lib/machine.ts";
import {
  makeDensePickle,
  makeLegacyTorch,
  makeTorchZip,
  opcodeLoop,
  readLikeScanner,
  writeBlocks,
} from "./lib/scan-files.ts";
import { MB, median, megabytesPerSecond, round, secondsSince } from "./lib/stats.ts";
import { printJsonLine, printTable, verdict } from "./lib/table.ts";
import { makeTempDir, runCleanups } from "./lib/temp.ts";

const SAFETENSORS_BYTES = numberFromEnv("SCAN_BENCH_SAFETENSORS_MB", 1024) * MB;
const PICKLE_BYTES = numberFromEnv("SCAN_BENCH_PICKLE_MB", 200) * MB;
const ROUNDS = numberFromEnv("SCAN_BENCH_ROUNDS", 5);
const PICKLE_TARGET = 0.5;

async function makeSafetensors(path: string): Promise<number> {
  const tensors = 64;
  const per = Math.floor(SAFETENSORS_BYTES / tensors / 4) * 4;
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  for (let i = 0; i < tensors; i++)
    header[`layer.${i}.weight`] = { dtype: "F32", shape: [per / 4], data_offsets: [i * per, (i + 1) * per] };
  let json = Buffer.from(JSON.stringify(header));
  json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  const chunk = Buffer.alloc(MB, 0x3f);
  const dataBytes = per * tensors;
  let left = dataBytes;
  return writeBlocks(
    path,
    Buffer.concat([length, json]),
    () => {
      const size = Math.min(MB, left);
      left -= size;
      return chunk.subarray(0, size);
    },
    8 + json.length + dataBytes,
    new Uint8Array(0),
  );
}

/** One block of a model-like pickle: a key, a list of 2,000 floats (dense opcodes), then 16 KB of bytes. */
function pickleBlock(index: number): Uint8Array {
  const key = Buffer.from(`layer.${index}.weight`);
  const floats = Buffer.alloc(2000 * 9);
  for (let i = 0; i < 2000; i++) {
    floats[i * 9] = 0x47;
    floats.writeDoubleBE(i / 7, i * 9 + 1);
  }
  const bytes = Buffer.alloc(5 + 16 * 1024, 0x11);
  bytes[0] = 0x42;
  bytes.writeUInt32LE(16 * 1024, 1);
  return Buffer.concat([
    Buffer.from([0x8c, key.length]),
    key,
    Buffer.from([0x94, 0x5d, 0x94, 0x28]),
    floats,
    Buffer.from([0x65]),
    bytes,
    Buffer.from([0x86, 0x73]),
  ]);
}

async function makePickle(path: string): Promise<number> {
  const head = Buffer.from([0x80, 0x04, 0x7d, 0x94]);
  return writeBlocks(path, head, pickleBlock, PICKLE_BYTES, Buffer.from([0x2e]));
}

/** One entry of a tensor-like pickle (legacy checkpoints, joblib arrays): a key, a dtype call, 1 MB of bytes. */
function tensorBlock(index: number): Uint8Array {
  const key = Buffer.from(`layer.${index}.weight`);
  const data = Buffer.alloc(5 + MB, 0x22);
  data[0] = 0x42;
  data.writeUInt32LE(MB, 1);
  const dtype = Buffer.from("\x63numpy\ndtype\n\x8c\x02f4\x85\x52", "latin1");
  return Buffer.concat([Buffer.from([0x8c, key.length]), key, dtype, data, Buffer.from([0x86, 0x73])]);
}

async function makeTensorPickle(path: string): Promise<number> {
  const head = Buffer.from([0x80, 0x04, 0x7d, 0x94]);
  return writeBlocks(path, head, tensorBlock, PICKLE_BYTES, Buffer.from([0x2e]));
}

/** Every byte through a read stream (a fresh 1 MB buffer per chunk): the baseline of earlier figures. */
async function streamRead(path: string): Promise<number> {
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: MB })) bytes += (chunk as Buffer).length;
  return bytes;
}

/** CPU seconds of this process (all its threads) per measurement, by kind, for the CPU ratio. */
const cpuSeconds = new Map<string, number[]>();

/** Wall seconds of `work`; its CPU seconds go to `cpuSeconds` under `kind`. */
async function time(kind: string, work: () => Promise<unknown>): Promise<number> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await work();
  const wall = secondsSince(start);
  const used = process.cpuUsage(cpu);
  const list = cpuSeconds.get(kind) ?? [];
  list.push((used.user + used.system) / 1e6);
  cpuSeconds.set(kind, list);
  return wall;
}

async function compare(path: string, size: number, ceiling?: (path: string) => Promise<unknown>) {
  const scans: number[] = [];
  const reads: number[] = [];
  const streamReads: number[] = [];
  const ceilings: number[] = [];
  let result: Awaited<ReturnType<typeof scanFile>> | undefined;
  await readLikeScanner(path);
  cpuSeconds.clear();
  for (let round = 0; round < ROUNDS; round++) {
    reads.push(await time("read", () => readLikeScanner(path)));
    streamReads.push(await time("stream", () => streamRead(path)));
    scans.push(
      await time("scan", async () => {
        result = await scanFile(path);
      }),
    );
    if (ceiling) ceilings.push(await time("ceiling", () => ceiling(path)));
  }
  const scanSeconds = median(scans);
  const readSeconds = median(reads);
  const scanCpu = median(cpuSeconds.get("scan")!);
  const readCpu = median(cpuSeconds.get("read")!);
  const streamReadSeconds = median(streamReads);
  const ceilingSeconds = ceiling ? median(ceilings) : undefined;
  return {
    ...(ceilingSeconds === undefined
      ? {}
      : {
          ceilingSeconds: round(ceilingSeconds, 4),
          ceilingMBps: round(megabytesPerSecond(size, ceilingSeconds), 1),
          ceilingRatio: round(readSeconds / ceilingSeconds, 3),
          ceilingCpuSeconds: round(median(cpuSeconds.get("ceiling")!), 4),
          ceilingCpuRatio: round(readCpu / median(cpuSeconds.get("ceiling")!), 3),
        }),
    scanCpuSeconds: round(scanCpu, 4),
    readCpuSeconds: round(readCpu, 4),
    cpuRatio: round(readCpu / scanCpu, 3),
    sizeMB: round(size / MB, 1),
    verdict: result!.verdict,
    scanSeconds: round(scanSeconds, 4),
    readSeconds: round(readSeconds, 4),
    scanMBps: round(megabytesPerSecond(size, scanSeconds), 1),
    readMBps: round(megabytesPerSecond(size, readSeconds), 1),
    ratio: round(readSeconds / scanSeconds, 3),
    streamReadSeconds: round(streamReadSeconds, 4),
    streamRatio: round(streamReadSeconds / scanSeconds, 3),
  };
}

function pickleRow(name: string, row: Awaited<ReturnType<typeof compare>>): Array<string | number> {
  const { sizeMB, scanSeconds, readSeconds, scanMBps, readMBps, ratio, cpuRatio, streamRatio } = row;
  const target = `>= ${PICKLE_TARGET}: ${verdict(ratio >= PICKLE_TARGET)}`;
  return [
    name,
    sizeMB,
    row.verdict,
    scanSeconds,
    readSeconds,
    scanMBps,
    readMBps,
    ratio,
    cpuRatio,
    streamRatio,
    target,
  ];
}

async function run(): Promise<number> {
  const machine = machineInfo();
  process.stdout.write(`${describeMachine(machine)}\n`);
  const dir = await makeTempDir("scan");
  const safetensorsPath = join(dir, "model.safetensors");
  const densePath = join(dir, "dense.pkl");
  const picklePath = join(dir, "model.pkl");
  const tensorPath = join(dir, "tensors.pkl");
  const legacyPath = join(dir, "legacy.pt");
  const zipPath = join(dir, "checkpoint.pt");
  const safetensorsSize = await makeSafetensors(safetensorsPath);
  const denseSize = await makeDensePickle(densePath, PICKLE_BYTES);
  const pickleSize = await makePickle(picklePath);
  const tensorSize = await makeTensorPickle(tensorPath);
  const legacySize = await makeLegacyTorch(legacyPath, PICKLE_BYTES);
  const zipSize = await makeTorchZip(zipPath, PICKLE_BYTES);
  const safetensors = await compare(safetensorsPath, safetensorsSize);
  const dense = await compare(densePath, denseSize, opcodeLoop);
  const pickle = await compare(picklePath, pickleSize);
  const tensors = await compare(tensorPath, tensorSize);
  const legacy = await compare(legacyPath, legacySize);
  const torchZip = await compare(zipPath, zipSize);
  printTable(
    "Scan next to a plain read of the same bytes (medians; ratio = read time / scan time, higher is better)",
    [
      "file",
      "MB",
      "verdict",
      "scan s",
      "read s",
      "scan MB/s",
      "read MB/s",
      "ratio",
      "CPU ratio",
      "stream ratio",
      "target",
    ],
    [
      [
        "safetensors",
        safetensors.sizeMB,
        safetensors.verdict,
        safetensors.scanSeconds,
        safetensors.readSeconds,
        safetensors.scanMBps,
        safetensors.readMBps,
        safetensors.ratio,
        safetensors.cpuRatio,
        safetensors.streamRatio,
        `header only: ${verdict(safetensors.scanSeconds < 0.05)}`,
      ],
      pickleRow("pickle (dense)", dense),
      pickleRow("pickle (mixed)", pickle),
      pickleRow("pickle (tensor-like)", tensors),
      pickleRow("torch legacy .pt", legacy),
      pickleRow("torch zip .pt", torchZip),
    ],
  );
  process.stdout.write(
    `\nCeiling for the dense pickle (read + only stepping over its opcodes, numbers with the scanner's WebAssembly loop, same rounds): ${dense.ceilingSeconds} s, ` +
      `${dense.ceilingMBps} MB/s, ratio ${dense.ceilingRatio} of read speed (CPU ratio ${dense.ceilingCpuRatio})\n` +
      "CPU ratio = the read's CPU seconds / the scan's (all threads of the process): what the ratio would be with\n" +
      "the CPU to itself, as far as CPU time shows it. Stream ratio = the ratio against a read through\n" +
      "fs.createReadStream (a fresh buffer per chunk), the baseline of earlier figures.\n",
  );
  process.stdout.write(
    `\nLoad average after the run: ${machineInfo().loadAverage} (before: ${machine.loadAverage})\n`,
  );
  printJsonLine({
    bench: "scan",
    machine,
    safetensors,
    densePickle: dense,
    pickle,
    tensorPickle: tensors,
    legacyTorch: legacy,
    torchZip,
    loadAverageAfter: machineInfo().loadAverage,
  });
  return 0;
}

async function main(): Promise<number> {
  try {
    return await run();
  } finally {
    await runCleanups();
  }
}

process.exitCode = await main();
