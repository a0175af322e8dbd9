import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { TestHangar } from "../helpers/test-hangar.ts";
import { collectPageErrors, ensureWebUiBuilt, launchChromium, screenshot } from "../helpers/web-ui.ts";
import { startWebUiHangar } from "../helpers/web-ui-hub.ts";

const TIMEOUT = 15_000;

/** The Explorer and Details panels in headless Chromium, against a real hangar on 127.0.0.1. */
describe("web UI: Explorer and Details in a browser", () => {
  let hub: TestHangar;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  before(async () => {
    await ensureWebUiBuilt();
    hub = await startWebUiHangar();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  const open = async (path: string, viewport = { width: 1280, height: 900 }) => {
    await context?.close();
    context = await browser.newContext({ viewport, baseURL: hub.url });
    context.setDefaultTimeout(TIMEOUT);
    page = await context.newPage();
    errors = collectPageErrors(page);
    await page.goto(path);
  };
  const resultIds = () => page.locator(".cards .model-id").allTextContents();

  it("searches as you type, filters by clicking facets, keeps it all in the URL, and goes back", async () => {
    await open("/");
    const search = page.getByRole("searchbox", { name: "Search models" });
    await page.getByRole("heading", { name: "3 models" }).waitFor();
    await search.fill("sentiment");
    await page.waitForURL(/\?q=sentiment$/);
    await page.getByRole("heading", { name: "1 model", exact: true }).waitFor();
    assert.deepEqual(await resultIds(), ["hangar/sentiment-tiny"]);
    await search.fill("");
    await page.waitForURL((url) => url.search === "");
    await page.getByRole("heading", { name: "3 models" }).waitFor();

    const translation = page.getByRole("checkbox", { name: /^Translation/ });
    await translation.check();
    await page.waitForURL(/\?task=translation$/);
    await page.getByRole("heading", { name: "1 model", exact: true }).waitFor();
    assert.deepEqual(await resultIds(), ["acme/translator-mini"]);
    // Facets count over the whole result set without their own filter: the other tasks stay selectable.
    assert.ok(await page.getByRole("checkbox", { name: /^Text Classification\s*1$/ }).isVisible());
    await page.getByRole("checkbox", { name: /^mit/ }).check();
    await page.waitForURL(/\?task=translation&license=mit$/);
    await screenshot(page, "explorer-filtered");

    await page.goBack();
    await page.waitForURL(/\?task=translation$/);
    assert.equal(await page.getByRole("checkbox", { name: /^mit/ }).isChecked(), false);
    await page.goBack();
    await page.getByRole("heading", { name: "3 models" }).waitFor();
    assert.equal(await translation.isChecked(), false);
    assert.deepEqual(errors, []);
  });

  it("opens a shared URL with its filters and sort applied", async () => {
    await open("/?license=cc-by-nc-4.0&sort=updated");
    await page.getByRole("heading", { name: "1 model", exact: true }).waitFor();
    assert.deepEqual(await resultIds(), ["acme/vision-small"]);
    assert.equal(await page.getByRole("checkbox", { name: /^cc-by-nc-4\.0/ }).isChecked(), true);
    assert.equal(await page.getByRole("combobox", { name: "Sort by" }).inputValue(), "updated");
    assert.ok(await page.getByText("No commercial use").isVisible(), "the card shows the licence forbids it");
    await screenshot(page, "explorer-from-url");
  });

  it("recommends models for a described need, with reasons", async () => {
    await open("/");
    await page.getByText("Describe what you need").click();
    await page.getByLabel(/What should the model do/).fill("classify the sentiment of english reviews");
    await page.getByRole("button", { name: "Recommend" }).click();
    await page.waitForURL(/need=classify/);
    const candidate = page.locator(".candidates > li").first();
    await candidate.waitFor();
    assert.equal(await candidate.getByRole("link").textContent(), "hangar/sentiment-tiny");
    assert.match((await candidate.textContent()) ?? "", /text-classification/);
  });

  it("opens a model: header, rendered card, metadata, then files with LFS and scan verdicts", async () => {
    await open("/");
    await page.getByRole("link", { name: "hangar/sentiment-tiny" }).click();
    await page.waitForURL(`${hub.url}/hangar/sentiment-tiny`);
    await page.getByRole("heading", { level: 1, name: "hangar/sentiment-tiny" }).waitFor();
    const card = page.getByRole("article", { name: "Model card" });
    await card.getByRole("heading", { name: "Sentiment classifier (Hangar factory)" }).waitFor();
    assert.ok(
      !(await card.textContent())?.includes("license: apache-2.0"),
      "the YAML header is not shown as text",
    );
    const metadata = page.getByRole("complementary", { name: "Metadata" });
    assert.match((await metadata.getByRole("row", { name: /Parameters/ }).textContent()) ?? "", /9,914/);
    assert.match((await metadata.getByRole("row", { name: /Languages/ }).textContent()) ?? "", /en/);
    assert.ok(await page.getByText("Commercial use allowed").first().isVisible());
    await screenshot(page, "details-card");

    await page.getByRole("tab", { name: "Files and versions" }).click();
    await page.waitForURL(/\/hangar\/sentiment-tiny\/tree\/main$/);
    assert.equal(
      await page.getByRole("tab", { name: "Files and versions" }).getAttribute("aria-selected"),
      "true",
    );
    const row = page.getByRole("row", { name: /^config\.json/ });
    await row.waitFor();
    assert.match((await row.textContent()) ?? "", /387 B.*git.*(Scan: safe|Not scanned yet)/);
    await page.getByRole("link", { name: "onnx/" }).click();
    await page.waitForURL(/\/tree\/main\/onnx$/);
    const onnx = page.getByRole("row", { name: /model\.onnx/ });
    await onnx.waitFor();
    assert.match((await onnx.textContent()) ?? "", /LFS/);
    await screenshot(page, "details-files");
    await page.getByRole("link", { name: "History" }).click();
    await page.waitForURL(/\/commits\/main$/);
    await page.getByText("Make sentiment model (Hangar model factory)").waitFor();
    await page.goBack();
    await page.waitForURL(/\/tree\/main\/onnx$/);
    await onnx.waitFor();
    assert.deepEqual(errors, []);
  });

  it("shows the Hub's error for a repo that does not exist, and a dataset's card under its own name", async () => {
    await open("/nobody/nothing");
    assert.match(
      (await page.getByRole("alert").textContent()) ?? "",
      /Repository Not Found.*\(RepoNotFound\)$/,
    );
    assert.equal(await page.getByRole("tablist").count(), 0);
    await open("/datasets/acme/reviews/tree/main");
    await page.getByRole("row", { name: /^reviews\.csv/ }).waitFor();
    assert.deepEqual(await page.getByRole("tab").allTextContents(), ["Dataset card", "Files and versions"]);
  });

  it("moves between tabs with the arrow keys and shows the focus", async () => {
    await open("/hangar/sentiment-tiny");
    const cardTab = page.getByRole("tab", { name: "Model card" });
    await cardTab.focus();
    await page.keyboard.press("ArrowRight");
    await page.waitForURL(/\/tree\/main$/);
    const active = () => page.evaluate("[document.activeElement.textContent, document.activeElement.role]");
    assert.deepEqual(await active(), ["Files and versions", "tab"]);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Shift+Tab");
    assert.deepEqual(await active(), ["Files and versions", "tab"]);
    const outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle");
    assert.notEqual(outline, "none", "keyboard focus is visible");
  });

  it("shows private repos only with a token, saved in the browser", async () => {
    await open("/?q=secret");
    await page.getByRole("heading", { name: "0 models" }).waitFor();
    await page.getByText("Access token").click();
    await page.getByLabel(/Token for private repos/).fill(hub.adminToken);
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("link", { name: "acme/secret-sentiment" }).waitFor();
    assert.equal(await page.evaluate('localStorage.getItem("hangar.token")'), hub.adminToken);
  });

  it("fits a 390 px phone without sideways scrolling, and follows a dark system setting", async () => {
    await open("/?q=sentiment", { width: 390, height: 844 });
    await page.getByRole("link", { name: "hangar/sentiment-tiny" }).waitFor();
    const overflow = await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    await screenshot(page, "explorer-390px");
    for (const path of [
      "/hangar/sentiment-tiny",
      "/hangar/sentiment-tiny/tree/main",
      "/hangar/sentiment-tiny?tab=performance&compare=acme/translator-mini",
      "/hangar/sentiment-tiny?tab=integration",
    ]) {
      await page.goto(path);
      await page.getByRole("tabpanel").locator("h2, h1, article").first().waitFor();
      await page.waitForLoadState("networkidle");
      const wider = await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
      assert.ok(wider <= 0, `${path} is ${wider}px wider than the screen`);
    }
    await page.goto("/?q=sentiment");
    await page.getByRole("link", { name: "hangar/sentiment-tiny" }).waitFor();
    await page.emulateMedia({ colorScheme: "dark" });
    const background = await page.evaluate<string>("getComputedStyle(document.body).backgroundColor");
    const [red, green, blue] = (background.match(/\d+/g) ?? []).map(Number);
    assert.ok(red! + green! + blue! < 150, `a dark background, got ${background}`);
    await screenshot(page, "explorer-dark");
  });
});
