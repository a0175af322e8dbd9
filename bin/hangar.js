#!/usr/bin/env node
// The CLI runs its TypeScript sources directly through tsx's loader, so a checkout works after `npm install`
// with no build step.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
