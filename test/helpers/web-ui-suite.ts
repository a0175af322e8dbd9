import { after, before } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { TestHangar } from "./test-hangar.ts";
import { collectPageErrors, ensureWebUiBuilt, launchChromium } from "./web-ui.ts";
import { startWebUiHangar } from "./web-ui-hub.ts";

export interface OpenOptions {
  viewport?: { width: number; height: number };
  /** Install Playwright's fake clock before the page loads (timers then move only with `page.clock`). */
  clock?: boolean;
}

/** One browser test file's set-up: a hangar, Chromium, and a fresh page per `open`. */
export interface WebUiSuite {
  readonly hub: TestHangar;
  readonly browser: Browser;
  /** The page the last `open` made. */
  readonly page: Page;
  /** Script errors of that page (tests end with `assert.deepEqual(ui.errors, [])`). */
  readonly errors: string[];
  /** A fresh browser context (no storage, clipboard granted) and page at `path` on the hub. */
  open(path: string, options?: OpenOptions): Promise<Page>;
  /** The ids on the Explorer's result cards, in order. */
  resultIds(): Promise<string[]>;
}

/**
 * Registers `before`/`after` hooks (call it inside `describe`) that build the UI when needed, start the
 * hangar (`startWebUiHangar` unless `start` says otherwise, then `prepare`), launch Chromium, and close
 * all of it at the end.
 */
export function webUiSuite(
  options: {
    timeout?: number;
    start?: () => Promise<TestHangar>;
    prepare?: (hub: TestHangar) => Promise<unknown>;
  } = {},
): WebUiSuite {
  let hub: TestHangar | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let errors: string[] = [];
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not ready: call open() in a test`);
    return value;
  };
  before(async () => {
    await ensureWebUiBuilt();
    hub = await (options.start ?? startWebUiHangar)();
    await options.prepare?.(hub);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
  });
  return {
    get hub() {
      return need(hub, "the hangar");
    },
    get browser() {
      return need(browser, "the browser");
    },
    get page() {
      return need(page, "the page");
    },
    get errors() {
      return errors;
    },
    async open(path, openOptions = {}) {
      await context?.close();
      const url = need(hub, "the hangar").url;
      context = await need(browser, "the browser").newContext({
        viewport: openOptions.viewport ?? { width: 1280, height: 900 },
        baseURL: url,
      });
      context.setDefaultTimeout(options.timeout ?? 15_000);
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: url });
      page = await context.newPage();
      errors = collectPageErrors(page);
      if (openOptions.clock) await page.clock.install();
      await page.goto(path);
      return page;
    },
    resultIds() {
      return need(page, "the page").locator(".cards .model-id").allTextContents();
    },
  };
}
