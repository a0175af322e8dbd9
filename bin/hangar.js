#!/usr/bin/env node
// The CLI runs its TypeScript sources directly through tsx's loader, so a checkout works after `npm install`
// with no build step. `main` only resolves to the exit code; running it and exiting is this file's job, so
// tests can import `src/cli/main.ts` and call `main` in-process.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2), process.env);
