import { cpus as listCpus } from "node:os";
import { SKUS } from "@huggingface/tasks";
import { badRequest } from "../../core/errors.ts";

/** One device of the `@huggingface/tasks` SKUS table, with what estimates need. */
export interface HardwareSpec {
  /** Display name, e.g. `T4`, `Apple M2 Max`, `Xeon 4th Generation (Sapphire Rapids)`. */
  name: string;
  kind: "GPU" | "CPU" | "Apple Silicon";
  vendor: string;
  /** Peak TFLOPS as the table gives it (FP16 for GPUs where possible, FP32 for CPUs). */
  tflops: number;
  /** Largest memory option in bytes; null for CPUs (system RAM is not part of the table). */
  memoryBytes: number | null;
  msrpUsd: number | null;
  powerWatts: number | null;
}

/**
 * Hourly price of owning a device, when the user gives none: its MSRP amortised over
 * OWNERSHIP_YEARS of continuous use, plus its maximum power draw at ELECTRICITY_USD_PER_KWH.
 * MSRP and power come from the SKUS table; the two constants are Hangar's stated assumptions.
 * Cloud rental prices are usually 2-5× higher: give `pricePerHour` for a cloud machine.
 */
export const OWNERSHIP_YEARS = 3;
export const ELECTRICITY_USD_PER_KWH = 0.15;

/** Estimates use this device when the caller names none: a common, inexpensive inference GPU. */
export const DEFAULT_GPU = "T4";
/** "CPU only" estimates use this server CPU. */
export const DEFAULT_CPU = "Xeon 4th Generation (Sapphire Rapids)";

interface RawSku {
  tflops: number;
  memory?: number[];
  msrp?: number;
  power?: number;
}

const ALL_HARDWARE: HardwareSpec[] = (() => {
  const specs: HardwareSpec[] = [];
  for (const [kind, vendors] of Object.entries(SKUS)) {
    for (const [vendor, models] of Object.entries(vendors as Record<string, Record<string, RawSku>>)) {
      for (const [model, spec] of Object.entries(models)) {
        specs.push({
          name: model,
          kind: kind as HardwareSpec["kind"],
          vendor: vendor === "-" ? "Apple" : vendor,
          tflops: spec.tflops,
          memoryBytes: spec.memory?.length ? Math.max(...spec.memory) * 1024 ** 3 : null,
          msrpUsd: spec.msrp ?? null,
          powerWatts: spec.power ?? null,
        });
      }
    }
  }
  return specs;
})();

const squash = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, "");

/** Every device of the table, in table order. */
export function listHardware(): readonly HardwareSpec[] {
  return ALL_HARDWARE;
}

/**
 * The device a user names: exact name first, then name with the vendor (`nvidia t4`), ignoring case,
 * spaces and punctuation. `cpu` means DEFAULT_CPU, `gpu` DEFAULT_GPU. Unknown names are a 400.
 */
export function findHardware(name: string): HardwareSpec {
  const wanted = squash(name);
  if (wanted === "cpu") return findHardware(DEFAULT_CPU);
  if (wanted === "gpu") return findHardware(DEFAULT_GPU);
  const match =
    ALL_HARDWARE.find((spec) => squash(spec.name) === wanted) ??
    ALL_HARDWARE.find((spec) => squash(`${spec.vendor}${spec.name}`) === wanted);
  if (!match) {
    const close = ALL_HARDWARE.filter((spec) => wanted && squash(spec.name).includes(wanted))
      .slice(0, 8)
      .map((spec) => spec.name);
    throw badRequest(
      `Unknown hardware "${name}"${close.length ? `: did you mean ${close.join(", ")}?` : ""} ` +
        "(names come from the @huggingface/tasks SKUS table, e.g. T4, A10, A100, RTX 4090, Apple M2, or cpu)",
    );
  }
  return match;
}

export interface HourlyPrice {
  usdPerHour: number;
  basis: "user-price" | "estimated";
  note: string;
}

/** The user's price, or the ownership estimate; null when the table lacks MSRP or power for the device. */
export function hourlyPrice(hardware: HardwareSpec, userPrice?: number): HourlyPrice | null {
  if (userPrice !== undefined) {
    return { usdPerHour: userPrice, basis: "user-price", note: `given: $${userPrice}/hour` };
  }
  if (hardware.msrpUsd === null || hardware.powerWatts === null) return null;
  const amortised = hardware.msrpUsd / (OWNERSHIP_YEARS * 365 * 24);
  const power = (hardware.powerWatts / 1000) * ELECTRICITY_USD_PER_KWH;
  return {
    usdPerHour: amortised + power,
    basis: "estimated",
    note:
      `owning a ${hardware.name}: $${hardware.msrpUsd} MSRP over ${OWNERSHIP_YEARS} years + ` +
      `${hardware.powerWatts} W at $${ELECTRICITY_USD_PER_KWH}/kWh (SKUS table of @huggingface/tasks)`,
  };
}

const byName = (name: string) => ALL_HARDWARE.find((spec) => spec.name === name) ?? null;
const ordinal = (generation: number) => `${generation}th Generation`;

/**
 * The SKUS entry of a CPU, from the model name the operating system reports (`os.cpus()[0].model`), or null
 * when the name does not say which entry it is (a virtual machine's "AMD EPYC", a model the table lacks).
 * Server part numbers encode their generation: Xeon Scalable's second digit, EPYC's last digit.
 */
export function identifyCpu(model: string): HardwareSpec | null {
  const text = model.replace(/\((R|TM)\)/gi, "").replace(/\s+/g, " ");
  const apple = /Apple (M\d)(?: (Pro|Max|Ultra))?/.exec(text);
  if (apple) return byName(`Apple ${apple[1]}${apple[2] ? ` ${apple[2]}` : ""}`);
  const ultra = /Core Ultra (\d) (\d{3}[A-Z]*)/.exec(text);
  if (ultra) return byName(`Intel Core Ultra ${ultra[1]} ${ultra[2]}`);
  const core = /\bi([3579])-(1[0-4])\d{2,3}/.exec(text);
  if (core) return byName(`Intel Core ${ordinal(Number(core[2]))} (i${core[1]})`);
  const scalable = /Xeon (?:Platinum|Gold|Silver|Bronze) \d(\d)\d\d/.exec(text);
  if (scalable) {
    const names: Record<string, string> = {
      "2": "Xeon 2th Generation (Cascade Lake)",
      "3": "Xeon 3th Generation (Ice Lake)",
      "4": "Xeon 4th Generation (Sapphire Rapids)",
    };
    return byName(names[scalable[1]!] ?? "");
  }
  const e5 = /Xeon (?:CPU )?E5-\d{4}[A-Z]* v([234])/.exec(text);
  if (e5) {
    const names: Record<string, string> = {
      "2": "Xeon E5v2 (Ivy Bridge)",
      "3": "Xeon E5v3 (Haswell)",
      "4": "Xeon E5v4 (Broadwell)",
    };
    return byName(names[e5[1]!]!);
  }
  const epyc = /EPYC \d[0-9A-Z]{2}(\d)\b/.exec(text);
  if (epyc) {
    const names: Record<string, string> = {
      "1": "EPYC 1st Generation Zen (Naples)",
      "2": "EPYC 2th Generation Zen 2 (Rome)",
      "3": "EPYC 3th Generation Zen 3 (Milan)",
      "4": "EPYC 4th Generation Zen 4 (Genoa)",
      "5": "EPYC 5th Generation Zen 5 (Turin)",
    };
    return byName(names[epyc[1]!] ?? "");
  }
  const threadripper = /Threadripper (?:PRO )?([3579])\d{3}/.exec(text);
  if (threadripper) {
    const names: Record<string, string> = {
      "3": "Ryzen Threadripper Zen 2 3000 (Castle Peak)",
      "5": "Ryzen Threadripper Zen 3 5000 (Chagall)",
      "7": "Ryzen Threadripper Zen 4 7000 (Storm Peak)",
      "9": "Ryzen Threadripper Zen 5 9000 (Shimada Peak)",
    };
    return byName(names[threadripper[1]!]!);
  }
  const ryzenAi = /Ryzen AI (\d)( HX)? 3\d\d/.exec(text);
  if (ryzenAi) return byName(`Ryzen AI 300 (Ryzen AI ${ryzenAi[1]}${ryzenAi[2] ?? ""})`);
  const ryzen = /Ryzen ([3579]) ([3579])\d{3}/.exec(text);
  if (ryzen) {
    const zen: Record<string, string> = {
      "3": "Zen 2 3000",
      "5": "Zen 3 5000",
      "7": "Zen 4 7000",
      "9": "Zen 5 9000",
    };
    return byName(`Ryzen ${zen[ryzen[2]!]} (Ryzen ${ryzen[1]})`);
  }
  return null;
}

/** The CPU of this machine, which Hangar's local runtime measures latency on (onnxruntime, CPU only). */
export interface LocalCpu {
  /** The model name the operating system reports. */
  model: string;
  cores: number;
  /** Its SKUS entry, or null when the name does not identify one. */
  identified: HardwareSpec | null;
  /** The entry measured latency is priced at: the identified one, else DEFAULT_CPU. */
  pricedAs: HardwareSpec;
}

export function localCpu(): LocalCpu {
  const cpus = listCpus();
  const model = cpus[0]?.model.trim() || "unknown CPU";
  const identified = identifyCpu(model);
  return { model, cores: cpus.length, identified, pricedAs: identified ?? findHardware(DEFAULT_CPU) };
}
