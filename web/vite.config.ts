import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import preact from "@preact/preset-vite";
import { defineConfig, type Plugin } from "vite";

/**
 * Writes a brotli (`.br`) and a gzip (`.gz`) copy next to each built text file of 1 KiB or more, at the
 * highest levels (done once per build, not per request); `hangar serve` sends the one the browser accepts.
 */
function precompress(): Plugin {
  return {
    name: "hangar-precompress",
    apply: "build",
    async writeBundle(options, bundle) {
      const outDir = options.dir ?? "dist";
      await Promise.all(
        Object.keys(bundle)
          .filter((name) => /\.(html|js|css|svg|json|map)$/.test(name))
          .map(async (name) => {
            const path = join(outDir, name);
            const body = await readFile(path);
            if (body.byteLength < 1024) return;
            const [br, gz] = await Promise.all([
              promisify(brotliCompress)(body, {
                params: {
                  [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
                  [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
                },
              }),
              promisify(gzip)(body, { level: 9 }),
            ]);
            await writeFile(`${path}.br`, br);
            await writeFile(`${path}.gz`, gz);
          }),
      );
    },
  };
}

/** The web UI: built into web/dist (git-ignored), which `hangar serve` serves at `/`. */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  plugins: [preact(), precompress()],
  logLevel: "warn",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    chunkSizeWarningLimit: 400,
    rolldownOptions: {
      // @huggingface/tasks does not declare itself free of side effects, so without this every table it has
      // (snippets, local apps, hardware) would ship for the two the Explorer reads (tasks and modalities).
      treeshake: { moduleSideEffects: (id: string) => !id.includes("/@huggingface/tasks/") },
    },
  },
});
