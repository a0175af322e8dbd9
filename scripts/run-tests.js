#!/usr/bin/env node
// Runs every `*.test.ts` under test/ with Node's own test runner (Node 20 has no glob support in `--test`).
// Pass file paths or name fragments to run a subset: `npm test -- hub-read`.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

function findTests(folder) {
  const found = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...findTests(path));
    else if (entry.name.endsWith(".test.ts")) found.push(path);
  }
  return found.sort();
}

const filters = process.argv.slice(2);
const files = findTests("test").filter(
  (file) => filters.length === 0 || filters.some((filter) => file.includes(filter)),
);
if (files.length === 0) {
  console.error(`No test files match ${filters.join(", ")}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...files], {
  stdio: "inherit",
  env: { ...process.env, HANGAR_TEST: "1" },
});
process.exit(result.status ?? 1);
