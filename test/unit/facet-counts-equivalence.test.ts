import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { defaultConfig } from "../../src/core/config.ts";
import { emptyFacetArrays, type FacetArrays } from "../../src/discovery/facet-counts.ts";
import { facetScan } from "../../src/discovery/facet-scan.ts";
import { getSearchIndex } from "../../src/discovery/get-search-index.ts";
import { DIM, type FilterPlan, openPlan } from "../../src/discovery/plan.ts";
import { SearchIndex } from "../../src/discovery/search-index.ts";
import { COMMERCIAL_VALUES, MODALITIES, SCAN_STATUSES } from "../../src/discovery/vocabulary.ts";
import { createHangar, type Hangar } from "../../src/hangar.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { generateCatalog, seededRandom } from "../../src/hub/catalog/generate-catalog.ts";
import { createRepo } from "../../src/hub/create-repo.ts";
import { deleteRepo } from "../../src/hub/write/delete-repo.ts";
import { updateRepoSettings } from "../../src/hub/write/update-repo-settings.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

/**
 * The fast facet paths (filters as bitsets, counting by value combination, the cached whole-catalog counts
 * for a lone filter's own dimension, documents changed since the build judged one by one) must give exactly
 * what a plain document-by-document count gives: the reference below judges every document against every
 * filter and counts each dimension over the documents that fail no filter but that dimension's own
 * (disjunctive facets).
 */
const MODELS = 20_000;

function reference(index: SearchIndex, plan: FilterPlan): { total: number; counts: FacetArrays } {
  const counts = emptyFacetArrays(index);
  let total = 0;
  for (let doc = 0; doc < index.size; doc++) {
    if (index.removed[doc] === 1) continue;
    if (index.isPrivate[doc] === 1 && !plan.seeAll && plan.visibleAuthors[index.author[doc]!] !== 1) continue;
    const patched = index.patched[doc] === 1;
    if (plan.impossibleTags) continue;
    const tags = Array.from(index.tags.of(doc, patched));
    if (!plan.requiredTags.every((id) => tags.includes(id))) continue;
    const taskId = index.task[doc]!;
    const licenseId = index.license[doc]!;
    const languages = Array.from(index.languages.of(doc, patched));
    const bases = Array.from(index.baseModels.of(doc, patched));
    const datasets = Array.from(index.datasets.of(doc, patched));
    const anyAllowed = (allowed: Uint8Array, values: number[]) => values.some((id) => allowed[id] === 1);
    const inRange = (range: [number, number], value: number) => value >= range[0] && value <= range[1];
    const failed = new Set<number>();
    if (plan.allowTask && plan.allowTask[taskId] !== 1) failed.add(DIM.task);
    if (plan.allowModality && plan.allowModality[index.modalityOfTaskId[taskId]!] !== 1)
      failed.add(DIM.modality);
    if (plan.allowLibrary && plan.allowLibrary[index.library[doc]!] !== 1) failed.add(DIM.library);
    if (plan.allowLicense && plan.allowLicense[licenseId] !== 1) failed.add(DIM.license);
    if (plan.allowCommercial && plan.allowCommercial[index.commercialOfLicenseId[licenseId]!] !== 1) {
      failed.add(DIM.commercial);
    }
    if (plan.allowAuthor && plan.allowAuthor[index.author[doc]!] !== 1) failed.add(DIM.author);
    if (plan.parameterRange && !inRange(plan.parameterRange, index.parameters[doc]!))
      failed.add(DIM.parameters);
    if (plan.storageRange && !inRange(plan.storageRange, index.storageBytes[doc]!)) failed.add(DIM.storage);
    if (plan.gated >= 0 && (index.gated[doc]! > 0 ? 1 : 0) !== plan.gated) failed.add(DIM.gated);
    if (plan.runsLocally >= 0 && index.runsLocally[doc] !== plan.runsLocally) failed.add(DIM.runsLocally);
    if (plan.allowScan && plan.allowScan[index.scanStatus[doc]!] !== 1) failed.add(DIM.scan);
    if (plan.allowLanguage && !anyAllowed(plan.allowLanguage, languages)) failed.add(DIM.language);
    if (plan.allowBase && !anyAllowed(plan.allowBase, bases)) failed.add(DIM.baseModel);
    if (plan.allowDataset && !anyAllowed(plan.allowDataset, datasets)) failed.add(DIM.dataset);
    const countsIn = (dimension: number) => failed.size === 0 || (failed.size === 1 && failed.has(dimension));
    if (countsIn(DIM.task)) counts.task[taskId]!++;
    if (countsIn(DIM.modality)) counts.modality[index.modalityOfTaskId[taskId]!]!++;
    if (countsIn(DIM.library)) counts.library[index.library[doc]!]!++;
    if (countsIn(DIM.license)) counts.license[licenseId]!++;
    if (countsIn(DIM.commercial)) counts.commercial[index.commercialOfLicenseId[licenseId]!]!++;
    if (countsIn(DIM.author)) counts.author[index.author[doc]!]!++;
    if (countsIn(DIM.parameters)) counts.parameters[index.parameterBucket[doc]!]!++;
    if (countsIn(DIM.storage)) counts.storage[index.storageBucket[doc]!]!++;
    if (countsIn(DIM.gated)) counts.gated[index.gated[doc]!]!++;
    if (countsIn(DIM.runsLocally)) counts.runsLocally[index.runsLocally[doc]!]!++;
    if (countsIn(DIM.scan)) counts.scan[index.scanStatus[doc]!]!++;
    if (countsIn(DIM.language)) for (const id of languages) counts.language[id]!++;
    if (countsIn(DIM.baseModel)) for (const id of bases) counts.baseModel[id]!++;
    if (countsIn(DIM.dataset)) for (const id of datasets) counts.dataset[id]!++;
    if (failed.size > 0) continue;
    total++;
    if (index.evalCount[doc]! > 0) {
      counts.withEvaluations++;
      const mean = index.evalMean[doc]!;
      if (!Number.isNaN(mean)) counts.qualityHistogram[Math.min(9, Math.floor(mean * 10))]!++;
    }
  }
  return { total, counts };
}

function emptyPlan(index: SearchIndex): FilterPlan {
  return openPlan(new Uint8Array(index.authors.size));
}

/** Random filter plans: narrow ones (one or two values) and broad ones (most values allowed). */
function randomPlans(index: SearchIndex, count: number, seed: number): FilterPlan[] {
  const random = seededRandom(seed);
  const allow = (size: number): Uint8Array => {
    const allowed = new Uint8Array(size);
    const broad = random() < 0.5;
    if (broad) {
      for (let id = 0; id < size; id++) if (random() < 0.85) allowed[id] = 1;
    } else {
      const picks = 1 + Math.floor(random() * 2);
      for (let n = 0; n < picks; n++) allowed[Math.floor(random() * size)] = 1;
    }
    return allowed;
  };
  const plans: FilterPlan[] = [];
  for (let n = 0; n < count; n++) {
    const plan = emptyPlan(index);
    const chance = 0.25;
    if (random() < chance) plan.allowTask = allow(index.tasks.size);
    if (random() < chance / 2) plan.allowModality = allow(MODALITIES.length);
    if (random() < chance) plan.allowLibrary = allow(index.libraries.size);
    if (random() < chance / 2) plan.allowLicense = allow(index.licenses.size);
    if (random() < chance) plan.allowCommercial = allow(COMMERCIAL_VALUES.length);
    if (random() < chance / 3) plan.allowAuthor = allow(index.authors.size);
    if (random() < chance) plan.allowLanguage = allow(index.languages.dictionary.size);
    if (random() < chance / 3) plan.allowDataset = allow(index.datasets.dictionary.size);
    if (random() < chance / 3) plan.allowBase = allow(index.baseModels.dictionary.size);
    if (random() < chance / 2) plan.allowScan = allow(SCAN_STATUSES.length);
    if (random() < chance) plan.gated = random() < 0.7 ? 0 : 1;
    if (random() < chance / 2) plan.runsLocally = random() < 0.5 ? 0 : 1;
    if (random() < chance) plan.parameterRange = random() < 0.5 ? [1e8, 8e9] : [0, 1e12];
    if (random() < chance / 2) plan.storageRange = [0, 10 ** (8 + Math.floor(random() * 4))];
    if (random() < 0.05) plan.requiredTags = [Math.floor(random() * index.tags.dictionary.size)];
    plan.seeAll = random() < 0.2;
    plans.push(plan);
  }
  return plans;
}

function assertSame(index: SearchIndex, plan: FilterPlan, label: string): void {
  const expected = reference(index, plan);
  const actual = facetScan(index, plan, true, index.resultBuffer());
  assert.equal(actual.total, expected.total, `${label}: total`);
  assert.ok(actual.counts, `${label}: counts`);
  for (const key of Object.keys(expected.counts) as Array<keyof FacetArrays>) {
    const want = expected.counts[key];
    const got: unknown = (actual.counts as FacetArrays)[key];
    if (want instanceof Uint32Array) {
      assert.deepEqual(Array.from(got as Uint32Array), Array.from(want), `${label}: ${key}`);
    } else assert.equal(got, want, `${label}: ${key}`);
  }
  if (actual.results !== null) {
    const withoutCounts = facetScan(index, plan, false, new Uint32Array(index.capacity));
    assert.equal(withoutCounts.total, expected.total, `${label}: total without counts`);
  }
}

describe("facet counts equivalence", () => {
  let temp: { path: string; remove: () => Promise<void> };
  let hangar: Hangar;
  let index: SearchIndex;

  before(async () => {
    temp = await makeTempDir();
    hangar = await createHangar(defaultConfig(temp.path));
    await generateCatalog(hangar.catalog, { count: MODELS, seed: 42 });
    await createRepo(hangar, localAdministrator(), {
      type: "model",
      namespace: "secret-org",
      name: "secret-bert",
      private: true,
    });
    index = await SearchIndex.build(hangar.catalog);
  });

  after(async () => {
    await hangar.close();
    await temp.remove();
  });

  it("counts the whole catalog as a plain count does", () => {
    assertSame(index, emptyPlan(index), "no filter");
    assertSame(index, { ...emptyPlan(index), seeAll: true }, "no filter, seeing all");
    assert.equal(reference(index, emptyPlan(index)).total, MODELS);
  });

  it("counts the benchmark's broad filter-only queries as a plain count does", () => {
    const commercial = new Uint8Array(COMMERCIAL_VALUES.length);
    commercial[COMMERCIAL_VALUES.indexOf("yes")] = 1;
    for (const language of ["en", "zh", "fr", "de"]) {
      const allowLanguage = new Uint8Array(index.languages.dictionary.size);
      allowLanguage[index.languages.dictionary.find(language)!] = 1;
      const plan: FilterPlan = {
        ...emptyPlan(index),
        allowCommercial: commercial,
        parameterRange: [1e8, 8e9],
        allowLanguage,
      };
      assertSame(index, plan, `commercial + parameters + ${language}`);
    }
    for (const library of ["transformers", "gguf", "peft", "sentence-transformers", "diffusers", "timm"]) {
      const allowLibrary = new Uint8Array(index.libraries.size);
      allowLibrary[index.libraries.find(library)!] = 1;
      assertSame(index, { ...emptyPlan(index), allowLibrary, gated: 0 }, `${library} + not gated`);
    }
    const allowCommercial = new Uint8Array(COMMERCIAL_VALUES.length).fill(1);
    allowCommercial[COMMERCIAL_VALUES.indexOf("no")] = 0;
    assertSame(index, { ...emptyPlan(index), allowCommercial, gated: 0 }, "commercial not no + not gated");
  });

  it("counts random filter combinations as a plain count does", () => {
    const plans = randomPlans(index, 160, 19);
    let nonEmpty = 0;
    let broad = 0;
    for (const [n, plan] of plans.entries()) {
      const expected = reference(index, plan);
      if (expected.total > 0) nonEmpty++;
      if (expected.total * 2 > MODELS) broad++;
      assertSame(index, plan, `plan ${n}`);
    }
    // The plans cover both narrow and broad match sets: a comparison of empty answers would prove nothing.
    assert.ok(nonEmpty > 100, `${nonEmpty} plans match something`);
    assert.ok(broad > 15, `${broad} plans keep most of the catalog`);
  });

  it("counts documents changed since the build (new, private, gated, deleted) as a plain count does", async () => {
    const admin = localAdministrator();
    const built = await getSearchIndex(hangar);
    assert.equal(built.patchedCount, 0);
    const models = built.ids.slice(0, 400);
    for (const [n, id] of models.entries()) {
      const [namespace, name] = id.split("/") as [string, string];
      const repo = { type: "model" as const, namespace, name };
      if (n % 4 === 0) await updateRepoSettings(hangar, admin, { repo, private: true });
      else if (n % 4 === 1) await updateRepoSettings(hangar, admin, { repo, gated: "manual" });
      else if (n % 4 === 2) await deleteRepo(hangar, admin, { repo });
    }
    await createRepo(hangar, admin, { type: "model", namespace: "late-org", name: "late-bert" });
    await createRepo(hangar, admin, {
      type: "model",
      namespace: "late-org",
      name: "late-secret",
      private: true,
    });
    const patched = await getSearchIndex(hangar);
    // The same index, patched in place (not rebuilt): the changed documents sit outside the bitsets.
    assert.equal(patched, built);
    assert.ok(patched.patchedCount >= 300, `${patched.patchedCount} documents changed`);
    assertSame(patched, emptyPlan(patched), "changed: no filter");
    assertSame(patched, { ...emptyPlan(patched), gated: 1 }, "changed: gated");
    assertSame(patched, { ...emptyPlan(patched), gated: 0, seeAll: true }, "changed: not gated, seeing all");
    for (const [n, plan] of randomPlans(patched, 60, 23).entries())
      assertSame(patched, plan, `changed: plan ${n}`);
  });
});
