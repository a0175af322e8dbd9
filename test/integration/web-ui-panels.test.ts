import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { importCatalogSnapshot, readSnapshot } from "../../src/hub/catalog/import-snapshot.ts";
import { importPackagedModels } from "../../src/inference/adapters/packaged-models.ts";
import { renderTextPng } from "../helpers/image-fixtures.ts";
import { screenshot } from "../helpers/web-ui.ts";
import { webUiSuite } from "../helpers/web-ui-suite.ts";

/** The Performance and Integration panels in headless Chromium, against a real hangar on 127.0.0.1. */
describe("web UI: Performance and Integration in a browser", () => {
  const ui = webUiSuite({ timeout: 20_000, prepare: (hub) => importPackagedModels(hub.hangar) });
  let page: Page;
  const open = async (path: string) => {
    page = await ui.open(path);
  };

  it("runs the try-it widget on hangar/sentiment-tiny and shows the label and the latency", async () => {
    await open("/hangar/sentiment-tiny?tab=integration");
    assert.equal(await page.getByRole("tab", { name: "Integration" }).getAttribute("aria-selected"), "true");
    await page.getByLabel("Input text").fill("what a lovely day, I really enjoyed it");
    await page.getByRole("button", { name: "Run" }).click();
    const labels = page.locator(".labels li");
    await labels.first().waitFor();
    assert.match((await labels.first().textContent()) ?? "", /^POSITIVE/);
    assert.match((await labels.nth(1).textContent()) ?? "", /^NEGATIVE/);
    assert.match(
      (await page.locator(".latency").textContent()) ?? "",
      /^Latency [\d.]+ (ms|s) in the browser, [\d.]+ ms on the server$/,
    );
    await page.getByLabel("Input text").fill("terrible, boring and a waste of money");
    await page.getByRole("button", { name: "Run" }).click();
    await page
      .locator(".labels li", { hasText: /^NEGATIVE/ })
      .first()
      .waitFor();
    assert.match((await labels.first().textContent()) ?? "", /^NEGATIVE/, "the best label comes first");
    await screenshot(page, "integration-try-it");
    assert.deepEqual(ui.errors, []);
  });

  it("reads an uploaded image with the OCR model", async () => {
    await open("/hangar/paddleocr?tab=integration");
    await page.getByLabel("Upload an image").setInputFiles({
      name: "invoice.png",
      mimeType: "image/png",
      buffer: await renderTextPng(["Invoice total 42.50 EUR"]),
    });
    await page.getByRole("button", { name: "Run" }).click();
    await page.locator(".try-output .generated").waitFor();
    assert.equal(await page.locator(".try-output .generated").textContent(), "Invoice total 42.50 EUR");
    assert.match(
      (await page.locator(".latency").textContent()) ?? "",
      /^Latency [\d.]+ (ms|s) in the browser$/,
    );
    await screenshot(page, "integration-ocr");
    assert.deepEqual(ui.errors, []);
  });

  it("copies a snippet pointed at this server", async () => {
    await open("/hangar/sentiment-tiny?tab=integration");
    const tabs = page.getByRole("tablist", { name: "Use this model" }).getByRole("tab");
    await tabs.first().waitFor();
    assert.deepEqual(await tabs.allTextContents(), [
      "Python: huggingface_hub",
      "Python: transformers",
      "Python: openai",
      "JavaScript: @huggingface/hub",
      "JavaScript: @huggingface/inference",
      "JavaScript: transformers.js",
      "Shell: cURL",
      "Shell: hangar CLI",
    ]);
    await page.getByRole("tab", { name: "Shell: cURL" }).click();
    await page.getByRole("button", { name: "Copy the cURL snippet" }).click();
    await page.getByRole("button", { name: "Copy the cURL snippet" }).filter({ hasText: "Copied" }).waitFor();
    const copied = (await page.evaluate("navigator.clipboard.readText()")) as string;
    assert.ok(copied.startsWith(`curl ${ui.hub.url}/v1/inference/text-classification \\\n`), copied);
    assert.ok(copied.includes('"model":"hangar/sentiment-tiny"'), copied);
    // The copied command works as it stands.
    const body = /-d '(.*)'$/m.exec(copied)?.[1];
    const answer = await fetch(`${ui.hub.url}/v1/inference/text-classification`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: body ?? "",
    });
    assert.equal(answer.status, 200);
    await page.getByRole("tab", { name: "Python: huggingface_hub" }).click();
    assert.match(
      (await page.locator(".snippet pre").textContent()) ?? "",
      new RegExp(`HF_ENDPOINT"\\] = "${ui.hub.url}"`),
    );
    await screenshot(page, "integration-snippets");
  });

  it("compares two models picked in the Explorer: matrix, decision and chart", async () => {
    await open("/");
    await page.getByRole("checkbox", { name: "Compare hangar/sentiment-tiny" }).check();
    await page.getByRole("checkbox", { name: "Compare acme/translator-mini" }).check();
    await page.waitForURL(/compare=hangar%2Fsentiment-tiny&compare=acme%2Ftranslator-mini/);
    await page.getByRole("link", { name: "Compare 2 models" }).click();
    await page.waitForURL(/\/hangar\/sentiment-tiny\?tab=performance&compare=acme%2Ftranslator-mini$/);
    const table = page.locator("table.compare-table");
    await table.waitFor();
    const headers = await table.locator("thead th").allTextContents();
    assert.deepEqual(headers, ["Model", "hangar/sentiment-tiny", "acme/translator-mini"]);
    assert.match((await table.getByRole("row", { name: /^Parameters/ }).textContent()) ?? "", /9\.91K/);
    assert.match(
      (await table.getByRole("row", { name: /^Latency/ }).textContent()) ?? "",
      /ms \(estimated\)/,
    );
    await page.getByRole("heading", { name: "Decision" }).waitFor();
    await page.locator(".chart canvas").waitFor();
    assert.match(
      (await page.locator(".chart [role=img]").getAttribute("aria-label")) ?? "",
      /hangar\/sentiment-tiny [\d.]+ ms/,
    );

    // The cost estimator: the monthly cost follows the requests a day, and the URL keeps them.
    const monthly = () =>
      table
        .getByRole("row", { name: /^Cost per month/ })
        .locator("td")
        .first()
        .textContent();
    const before = await monthly();
    await page.getByLabel("Requests per day").fill("1000000");
    await page.getByLabel("Requests per day").press("Enter");
    await page.waitForURL(/per_day=1000000/);
    await table.getByRole("row", { name: /^Cost per month \(1,000,000\/day\)/ }).waitFor();
    assert.notEqual(await monthly(), before);
    await page.getByRole("heading", { name: "Evaluation results" }).waitFor();
    assert.ok(await page.getByText("model card (self-reported)").first().isVisible());
    await screenshot(page, "performance-compare");
    assert.deepEqual(ui.errors, []);
  });

  it("opens a comparison from its URL and drops a model with its button", async () => {
    await open("/hangar/sentiment-tiny?tab=performance&compare=acme/vision-small,acme/translator-mini");
    const headers = page.locator("table.compare-table thead th");
    await page.locator("table.compare-table").waitFor();
    assert.deepEqual(await headers.allTextContents(), [
      "Model",
      "hangar/sentiment-tiny",
      "acme/vision-small",
      "acme/translator-mini",
    ]);
    await page.getByRole("button", { name: "Remove acme/vision-small from the comparison" }).click();
    await page.waitForURL(/compare=acme%2Ftranslator-mini$/);
    await page
      .locator("table.compare-table thead th", { hasText: "acme/vision-small" })
      .waitFor({ state: "detached" });
    assert.deepEqual(await headers.allTextContents(), [
      "Model",
      "hangar/sentiment-tiny",
      "acme/translator-mini",
    ]);
  });

  // Last: it adds a catalog entry, which the tests above do not expect in their counts.
  it("shows a catalog entry's card and files tabs as an entry, with the command that pulls it", async () => {
    const bundled = readSnapshot();
    const entry = bundled.models.find((model) => model.id === "openai/whisper-large-v3");
    assert.ok(entry, "the bundled catalog lists openai/whisper-large-v3");
    await importCatalogSnapshot(ui.hub.hangar.catalog, { snapshot: { ...bundled, models: [entry] } });
    await open(`/${entry.id}`);
    const note = page.getByRole("region", { name: "Catalog entry" });
    await note.waitFor();
    assert.match((await note.textContent()) ?? "", /^A catalog entry\..* so it has no model card here yet\./);
    assert.match(
      (await note.textContent()) ?? "",
      /run on this Hangar's machine: hangar pull openai\/whisper-large-v3/,
    );
    assert.equal(await page.getByRole("alert").count(), 0, "no error shown for the missing card");
    await page.getByRole("button", { name: "Copy the command hangar pull openai/whisper-large-v3" }).click();
    assert.equal(
      await page.evaluate("navigator.clipboard.readText()"),
      "hangar pull openai/whisper-large-v3",
    );
    await page.getByRole("tab", { name: "Files and versions" }).click();
    await page.waitForURL(/\/openai\/whisper-large-v3\/tree\/main$/);
    await note.getByText("no files, branches or commits here yet").waitFor();
    assert.equal(await page.getByRole("alert").count(), 0);
    assert.deepEqual(ui.errors, []);
  });
});
