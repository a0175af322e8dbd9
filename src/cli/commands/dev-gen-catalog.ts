import { countNoun } from "../../core/count-noun.ts";
import { badRequest } from "../../core/errors.ts";
import { DEFAULT_CATALOG_SEED, generateCatalog } from "../../hub/catalog/generate-catalog.ts";
import type { Command } from "../command.ts";
import { ProgressBar } from "../progress.ts";
import { withLocalHome, writeJson } from "./local-home.ts";

function positiveInteger(value: unknown, flag: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const number = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < 0 || (flag === "models" && number === 0)) {
    throw badRequest(
      `--${flag} must be a ${flag === "models" ? "positive" : "non-negative"} integer, got "${value}"`,
    );
  }
  return number;
}

export const devGenCatalogCommand: Command = {
  name: ["dev", "gen-catalog"],
  summary: "Fill the instance with a synthetic catalog of upstream-only models, for scale tests",
  usesHome: true,
  options: {
    models: { type: "string", description: "How many models to generate", valueName: "N" },
    seed: {
      type: "string",
      description: `Seed: the same seed and count give the same catalog (default ${DEFAULT_CATALOG_SEED})`,
      valueName: "S",
    },
  },
  async run({ values, config, json, stdout, stderr }) {
    if (values.models === undefined) throw badRequest("--models is required");
    const count = positiveInteger(values.models, "models");
    const seed = positiveInteger(values.seed, "seed", DEFAULT_CATALOG_SEED);
    await withLocalHome(config, async (hangar) => {
      const progress = new ProgressBar(stderr, "Generating catalog");
      const started = performance.now();
      const result = await generateCatalog(hangar.catalog, {
        count,
        seed,
        onProgress: (done, total) => progress.update(done, total, countNoun(done, "model")),
      });
      progress.finish();
      const seconds = (performance.now() - started) / 1000;
      const models = await hangar.catalog.repos.count("model");
      if (json) {
        writeJson(stdout, { ...result, seconds: Number(seconds.toFixed(2)), models, home: config.home });
        return;
      }
      stdout.write(
        `Generated ${countNoun(result.inserted, "synthetic model")} (seed ${seed}) in ${seconds.toFixed(1)} s` +
          `${result.skipped ? `; kept ${countNoun(result.skipped, "existing repo")} with the same ids` : ""}\n` +
          `${config.home} now lists ${countNoun(models, "model")}\n`,
      );
    });
  },
};
