import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { screenshot } from "../helpers/web-ui.ts";
import { type OpenOptions, webUiSuite } from "../helpers/web-ui-suite.ts";

/** The Explorer and Details panels in headless Chromium, against a real hangar on 127.0.0.1. */
describe("web UI: Explorer and Details in a browser", () => {
  const ui = webUiSuite();
  let page: Page;
  const open = async (path: string, options?: OpenOptions) => {
    page = await ui.open(path, options);
  };
  const resultIds = () => ui.resultIds();

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
    assert.deepEqual(ui.errors, []);
  });

  it("searches at the first key after a pause, keeps the keys typed while the URL catches up, and counts facets once typing pauses", async () => {
    // A fake clock stands between the keys: time moves only when the test says so.
    await open("/", { clock: true });
    await page.getByRole("heading", { name: "3 models" }).waitFor();
    const searches: string[] = [];
    const counts: string[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname !== "/v1/discover") return;
      const q = url.searchParams.get("q") ?? "";
      if (url.searchParams.get("facets") === "true") counts.push(q);
      else searches.push(q);
    });
    await page.clock.pauseAt(((await page.evaluate("Date.now()")) as number) + 1000);
    const search = page.getByRole("searchbox", { name: "Search models" });
    await search.focus();
    // "t" searches at once; "i" comes before any time passes, so before the page's effects of that
    // navigation have run (what a slow machine or a slow render does to a real typist).
    await page.keyboard.type("t");
    await page.keyboard.type("i");
    await page.clock.runFor(40);
    assert.equal(await search.inputValue(), "ti", "the URL's older text does not replace what was typed");
    // Keys typed within 60 ms of the one before wait until typing pauses.
    await page.keyboard.type("n");
    await page.clock.runFor(40);
    await page.keyboard.type("y");
    await page.clock.runFor(40);
    assert.deepEqual(searches, ["t"], "nothing more is searched while the keys keep coming");
    await page.clock.runFor(30);
    await page.locator('.results[data-answered*="q=tiny"]').waitFor();
    assert.equal(await search.inputValue(), "tiny");
    assert.equal(new URL(page.url()).search, "?q=tiny");
    assert.deepEqual(searches, ["t", "tiny"], "one search per pause in typing, none for text retyped");
    // The results came without facet counts: the filters keep the earlier counts, dimmed, until the
    // text has stayed a while, then show the counts of "tiny".
    assert.deepEqual(counts, []);
    const filters = page.getByRole("complementary", { name: "Filters" });
    assert.equal(await filters.getAttribute("aria-busy"), "true");
    const translation = page.getByRole("checkbox", { name: /^Translation/ });
    assert.ok(await translation.isVisible(), "the counts of all 3 models stay until the new ones come");
    await page.clock.runFor(300);
    await translation.waitFor({ state: "detached" });
    assert.equal(await filters.getAttribute("aria-busy"), "false");
    assert.deepEqual(counts, ["tiny"]);
    assert.ok(await page.getByRole("checkbox", { name: /^Text Classification\s*1$/ }).isVisible());
    assert.deepEqual(ui.errors, []);
  });

  it("says why when a search takes long, and drops the note when the answer comes", async () => {
    await open("about:blank");
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route("**/v1/discover?*", async (route) => {
      await held;
      await route.continue();
    });
    await page.goto("/?q=sentiment");
    const note = page.getByRole("status").filter({ hasText: "Still searching" });
    await note.waitFor();
    assert.equal(await page.locator(".results").getAttribute("aria-busy"), "true");
    release();
    await page.getByRole("heading", { name: "1 model", exact: true }).waitFor();
    await note.waitFor({ state: "detached" });
    assert.deepEqual(ui.errors, []);
  });

  it("opens a shared URL with its filters and sort applied", async () => {
    const encodings = new Map<string, string | undefined>();
    await open("about:blank");
    page.on("response", (response) => {
      const path = new URL(response.url()).pathname;
      if (path.startsWith("/assets/"))
        encodings.set(path.split(".").at(-1)!, response.headers()["content-encoding"]);
    });
    await page.goto("/?license=cc-by-nc-4.0&sort=updated");
    await page.getByRole("heading", { name: "1 model", exact: true }).waitFor();
    assert.deepEqual(await resultIds(), ["acme/vision-small"]);
    assert.equal(await page.getByRole("checkbox", { name: /^cc-by-nc-4\.0/ }).isChecked(), true);
    assert.equal(await page.getByRole("combobox", { name: "Sort by" }).inputValue(), "updated");
    assert.ok(await page.getByText("No commercial use").isVisible(), "the card shows the licence forbids it");
    await screenshot(page, "explorer-from-url");
    // Chromium accepts brotli: the build's script and styles arrive compressed.
    assert.deepEqual(Object.fromEntries(encodings), { js: "br", css: "br" });
  });

  it("loads the model page's code only once a result is pointed at, then opens the model", async () => {
    await open("about:blank");
    const scripts: string[] = [];
    page.on("request", (request) => {
      const path = new URL(request.url()).pathname;
      if (path.startsWith("/assets/") && path.endsWith(".js")) scripts.push(path);
    });
    await page.goto("/");
    await page.getByRole("heading", { name: "3 models" }).waitFor();
    assert.equal(scripts.length, 1, `the Explorer needs its own script only: ${scripts}`);
    const details = page.waitForRequest((request) => /\/assets\/details-[^/]*\.js$/.test(request.url()));
    await page.locator(".cards .model-id").first().hover();
    await details;
    await page.locator(".cards .model-id").first().click();
    await page.getByRole("tab", { name: "Model card" }).waitFor();
    assert.deepEqual(ui.errors, []);
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
    await page.waitForURL(`${ui.hub.url}/hangar/sentiment-tiny`);
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
    assert.deepEqual(ui.errors, []);
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
    await page.getByLabel(/Token for private repos/).fill(ui.hub.adminToken);
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("link", { name: "acme/secret-sentiment" }).waitFor();
    assert.equal(await page.evaluate('localStorage.getItem("hangar.token")'), ui.hub.adminToken);
  });

  it("fits a 390 px phone without sideways scrolling, and follows a dark system setting", async () => {
    await open("/?q=sentiment", { viewport: { width: 390, height: 844 } });
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
