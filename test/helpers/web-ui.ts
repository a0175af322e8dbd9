import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type Browser, chromium, type Page } from "playwright-core";
import { DEFAULT_WEB_ROOT } from "../../src/server/routes/web-ui.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const LOCK = join(ROOT, "web", ".build-lock");

/**
 * Builds the web UI (`npm run build:web`) unless `web/dist` has it: `npm install` builds it, but a checkout
 * that has not run install since `web/` changed would test an old or missing build. Test files running at
 * once take turns through a lock folder, so two builds never write `web/dist` together.
 */
export async function ensureWebUiBuilt(): Promise<void> {
  const index = join(DEFAULT_WEB_ROOT, "index.html");
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock older than two minutes is left by a run that was killed.
      const since = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (since > 120_000) rmSync(LOCK, { force: true, recursive: true });
      await sleep(200);
    }
  }
  try {
    if (existsSync(index) && statSync(index).mtimeMs >= newestSource()) return;
    const vite = join(ROOT, "node_modules", ".bin", "vite");
    const result = spawnSync(vite, ["build", "--config", join(ROOT, "web", "vite.config.ts")], {
      cwd: ROOT,
      encoding: "utf8",
    });
    if (result.status !== 0)
      throw new Error(`Building the web UI failed:\n${result.stdout}\n${result.stderr}`);
  } finally {
    rmSync(LOCK, { force: true, recursive: true });
  }
}

/** When a file of the UI's sources last changed. */
function newestSource(): number {
  const web = join(ROOT, "web");
  const files = [join(web, "index.html"), join(web, "vite.config.ts")];
  for (const entry of readdirSync(join(web, "src"), { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.push(join(entry.parentPath, entry.name));
  }
  return Math.max(...files.map((file) => statSync(file).mtimeMs));
}

/** Debian's Chromium, headless, with nothing that reaches outside the machine. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.HANGAR_CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** Where the browser tests save their screenshots (git-ignored). */
export const SCREENSHOTS = join(ROOT, "test-output", "screenshots");

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Fails the test on any script error in the page (they are otherwise only in the browser's console). */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}
