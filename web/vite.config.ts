import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

/** The web UI: built into web/dist (git-ignored), which `hangar serve` serves at `/`. */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  plugins: [preact()],
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
