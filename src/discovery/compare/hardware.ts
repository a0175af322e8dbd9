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
