import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { PIPELINE_DATA } from "@huggingface/tasks";
import { parseDescription } from "../../src/discovery/recommend/parse-description.ts";
import { LOW_CONFIDENCE } from "../../src/discovery/recommend/recognise-tasks.ts";
import { type Recommendation, recommendModels } from "../../src/discovery/recommend/recommend-models.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import {
  BUNDLED_SNAPSHOT_PATH,
  type CatalogSnapshot,
  importCatalogSnapshot,
} from "../../src/hub/catalog/import-snapshot.ts";
import { recommendCases as cases, EMPTY_CONSTRAINTS as EMPTY } from "../helpers/recommend-cases.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

// Facts straight from the snapshot file, to check candidates independently of Hangar's reading of it.
const snapshot = JSON.parse(readFileSync(BUNDLED_SNAPSHOT_PATH, "utf8")) as CatalogSnapshot;
const byId = new Map(snapshot.models.map((model) => [model.id, model]));
const COMMERCIAL_OK = new Set([
  "apache-2.0",
  "mit",
  "bsd-3-clause",
  "cc-by-4.0",
  "openrail",
  "openrail++",
  "creativeml-openrail-m",
  "bigscience-openrail-m",
  "bigscience-bloom-rail-1.0",
  "bigcode-openrail-m",
]);

describe("recommend: candidates from the catalog snapshot", () => {
  let t: TestHangar;
  const answers = new Map<string, Recommendation>();
  before(async () => {
    t = await startTestHangar();
    await importCatalogSnapshot(t.hangar.catalog);
    for (const entry of cases) {
      answers.set(
        entry.description,
        await recommendModels(t.hangar, localAdministrator(), { description: entry.description }),
      );
    }
  });
  after(() => t.close());

  it("candidates meet the stated constraints, checked against the snapshot file", () => {
    let withCandidates = 0;
    for (const entry of cases) {
      const answer = answers.get(entry.description)!;
      const wanted = { ...EMPTY, ...entry.constraints };
      if (answer.candidates.length > 0) withCandidates++;
      const scores = answer.candidates.map((candidate) => candidate.score);
      assert.deepEqual(
        scores,
        [...scores].sort((a, b) => b - a),
        "best first",
      );
      for (const candidate of answer.candidates) {
        const facts = byId.get(candidate.id);
        assert.ok(facts, `${candidate.id} comes from the catalog`);
        const where = `${entry.description} → ${candidate.id}`;
        assert.ok(answer.tasks.includes(facts.task!), `${where}: task ${facts.task}`);
        assert.ok(candidate.reasons.length >= 2, `${where}: reasons`);
        if (wanted.commercialUse) {
          assert.ok(COMMERCIAL_OK.has(facts.license ?? ""), `${where}: licence ${facts.license}`);
        }
        if (wanted.licenses.length) assert.ok(wanted.licenses.includes(facts.license ?? ""), where);
        if (wanted.licenseFamily === "open-source") {
          assert.ok(
            ["apache-2.0", "mit", "bsd-3-clause"].includes(facts.license ?? ""),
            `${where}: ${facts.license}`,
          );
        }
        if (wanted.maxParameters !== null) {
          assert.ok(facts.parameters !== undefined && facts.parameters <= wanted.maxParameters, where);
        }
        if (wanted.maxSizeBytes !== null) {
          // At most 8-bit weights (1 byte a parameter) must fit; the reasons say which precision does.
          assert.ok(facts.parameters !== undefined && facts.parameters <= wanted.maxSizeBytes, where);
          assert.ok(
            candidate.reasons.some((reason) => reason.includes("under")),
            where,
          );
        }
        if (wanted.gpuMemoryBytes !== null) {
          // INT4 weights with the 1.2 overhead must fit the GPU.
          assert.ok(facts.parameters! * 0.5 * 1.2 <= wanted.gpuMemoryBytes, where);
        }
        for (const language of wanted.languages) {
          const languages = facts.languages ?? [];
          if (languages.includes(language)) continue;
          assert.ok(
            languages.length === 0 || languages.includes("multilingual"),
            `${where}: languages ${languages.join(",")} rule out ${language}`,
          );
          assert.ok(
            candidate.reasons.some((reason) => reason.startsWith("unknown:") && reason.includes(language)),
            `${where}: says ${language} is unknown`,
          );
        }
        for (const unknown of candidate.unknowns)
          assert.ok(candidate.reasons.includes(unknown), "candidate.reasons.includes(unknown)");
      }
      assert.equal(answer.alternatives.length >= 4, true);
      for (const alternative of answer.alternatives)
        assert.ok(alternative.reasons.length > 0, "alternative.reasons.length > 0");
    }
    assert.ok(withCandidates >= 40, `only ${withCandidates} descriptions found candidates`);
  });

  it("known cases rank the model the words and constraints point to", () => {
    const top = (description: string) => answers.get(description)?.candidates[0]?.id;
    assert.equal(
      top("Transcribe German podcasts, open source licence please"),
      "jonatasgrosman/wav2vec2-large-xlsr-53-german",
    );
    assert.equal(
      top("Sentiment analysis of product reviews in French"),
      "nlptown/bert-base-multilingual-uncased-sentiment",
    );
    assert.equal(top("named entity recognition for clinical notes, runs on-premise"), "blaze999/Medical-NER");
    const chat = answers.get(
      "A chatbot for our online shop that answers customer questions, under 8B parameters, Apache licence",
    )!;
    for (const candidate of chat.candidates) assert.match(candidate.id, /instruct|chat|-it\b/i);
  });

  it("offers alternatives: higher quality, lower cost, faster, specialised, each explained", () => {
    const answer = answers.get("Extract person names, companies and locations from English contracts")!;
    const kinds = Object.fromEntries(
      answer.alternatives.map((alternative) => [alternative.kind, alternative]),
    );
    const top = answer.candidates[0]!;
    const size = (id: string) => byId.get(id)!.parameters!;
    assert.ok(kinds["lower-cost"]?.id && size(kinds["lower-cost"].id) < size(top.id), "lower cost: smaller");
    assert.ok(kinds.faster?.id && size(kinds.faster.id) < size(top.id), "faster: smaller");
    assert.ok(
      kinds["higher-quality"]?.id && size(kinds["higher-quality"].id) > size(top.id),
      "higher quality: larger",
    );
    const chat = answers.get(
      "A chatbot for our online shop that answers customer questions, under 8B parameters, Apache licence",
    )!;
    const quality = chat.alternatives.find((alternative) => alternative.kind === "higher-quality")!;
    assert.ok(quality.id && size(quality.id) > size(chat.candidates[0]!.id), "larger than the top candidate");
    assert.match(quality.id, /instruct|chat|-it\b/i, "still a chat model");
    assert.equal(byId.get(quality.id)!.license, "apache-2.0", "keeps the licence asked for");
    // Only the parameter limit may be traded away, and then the answer says so.
    assert.ok(
      quality.relaxes.every((constraint) => constraint === "maxParameters"),
      "relaxes only the parameter limit",
    );
    assert.equal(quality.relaxes.length > 0, size(quality.id) > 8e9);
    // Specialised: a fine-tune of the top candidate (its card names the top candidate as base model).
    const summaries = answers.get("Summarise long financial reports into a short digest")!;
    const specialised = summaries.alternatives.find((alternative) => alternative.kind === "specialised")!;
    assert.ok(specialised.id, "a specialised alternative");
    assert.ok(
      byId.get(specialised.id)!.baseModels?.includes(summaries.candidates[0]!.id),
      `${specialised.id} derives from ${summaries.candidates[0]!.id}`,
    );
    // When the top candidate is itself the domain model, the domain words put it first.
    assert.equal(
      answers.get("named entity recognition for clinical notes, runs on-premise")!.candidates[0]!.id,
      "blaze999/Medical-NER",
    );
  });

  it("classifying by the user's own labels puts zero-shot models above fixed-purpose classifiers", () => {
    // Purposes read straight from the snapshot's ids and descriptions, independently of the lexicon.
    const fixedPurpose = (id: string) =>
      /language[- ]detection|classify languages|sentiment|emotion|toxic|detector|stsb|quora|attacks/i.test(
        `${id} ${byId.get(id)!.description}`,
      );
    const general = (id: string) =>
      byId.get(id)!.task === "zero-shot-classification" ||
      /\b(m|x)?nli\b|zero-shot/i.test(`${id} ${byId.get(id)!.description}`);

    const issue = cases[0]!.description;
    const parsed = parseDescription(issue);
    assert.equal(parsed.constraints.classifyBy, "urgency");
    assert.ok(parsed.tasks.includes("zero-shot-classification"), parsed.tasks.join(", "));
    assert.ok(
      parsed.triggers.some(
        (trigger) => trigger.phrase === "by urgency" && /zero-shot-classification/.test(trigger.means),
      ),
      "the trigger says zero-shot takes the labels",
    );
    const answer = answers.get(issue)!;
    const top = answer.candidates[0]!;
    const facts = byId.get(top.id)!;
    assert.equal(facts.task, "zero-shot-classification", `${top.id} is a zero-shot model`);
    assert.ok(!fixedPurpose(top.id), `${top.id} has no fixed purpose`);
    assert.ok(COMMERCIAL_OK.has(facts.license ?? ""), `licence ${facts.license}`);
    assert.ok(facts.parameters !== undefined && facts.parameters <= 500e6, "fits 500 MB at 8 bits");
    assert.ok(
      (facts.languages ?? []).length === 0 ||
        facts.languages!.includes("multilingual") ||
        ["en", "de"].every((language) => facts.languages!.includes(language)),
      `languages ${facts.languages}`,
    );
    assert.ok(
      top.reasons.includes("zero-shot: takes your labels (urgency levels) at run time, no training needed"),
      top.reasons.join(" / "),
    );
    // The language identifier still meets the constraints, but ranks below every general model and says why.
    const ids = answer.candidates.map((candidate) => candidate.id);
    const languageId = answer.candidates.find(
      (candidate) => candidate.id === "papluca/xlm-roberta-base-language-detection",
    );
    assert.ok(languageId, `the language identifier is listed: ${ids.join(", ")}`);
    assert.ok(languageId.reasons.includes("its labels are languages, not urgency levels"));
    const lastGeneral = Math.max(...ids.map((id, at) => (general(id) ? at : -1)));
    assert.ok(ids.indexOf(languageId.id) > lastGeneral, `order: ${ids.join(", ")}`);
    // Cheaper and faster alternatives are general models too.
    for (const alternative of answer.alternatives) {
      if (alternative.id) assert.ok(general(alternative.id), `${alternative.kind}: ${alternative.id}`);
    }
    assert.ok(
      answer.alternatives.some((alternative) => alternative.kind === "lower-cost" && alternative.id),
      "a lower-cost alternative",
    );

    // Other labels of the user's own: a general model first, no fixed-purpose model above a general one.
    for (const description of [
      "sort incoming emails into billing/technical/other",
      "triage bug reports by severity, Apache licence",
      "Label news headlines by topic in French and Spanish, under 1 GB",
      "Categorise news articles into our own topics without training data",
    ]) {
      const ranked = answers.get(description)!.candidates.map((candidate) => candidate.id);
      assert.ok(ranked.length > 0 && general(ranked[0]!), `${description}: ${ranked.join(", ")}`);
      const firstFixed = ranked.findIndex(fixedPurpose);
      if (firstFixed >= 0) {
        assert.ok(
          ranked.slice(firstFixed).every((id) => !general(id)),
          `${description}: ${ranked.join(", ")}`,
        );
      }
    }

    // When the criterion IS a fixed purpose, the model made for it comes first.
    const sentiment = answers.get("classify product reviews by sentiment, German")!.candidates[0]!;
    assert.equal(sentiment.id, "nlptown/bert-base-multilingual-uncased-sentiment");
    assert.ok(sentiment.reasons.some((reason) => reason.startsWith("made for sentiment, as asked")));
    const language = answers.get(
      "identify the language of user messages, under 300M parameters, MIT licence",
    )!.candidates[0]!;
    assert.equal(language.id, "papluca/xlm-roberta-base-language-detection");
    const spam = answers.get("label customer reviews as spam or not, commercial use")!;
    assert.deepEqual(spam.constraints.labels, ["spam", "not spam"]);
    assert.ok(
      !fixedPurpose(spam.candidates[0]!.id),
      `spam: ${spam.candidates[0]!.id} is not a sentiment model`,
    );
  });

  it("says what is missing when nothing meets every constraint", async () => {
    const answer = await recommendModels(t.hangar, localAdministrator(), {
      description: "transcribe Swahili radio shows, under 10 MB, commercial use",
    });
    assert.equal(answer.candidates.length, 0);
    assert.ok(
      answer.notes.some((note) => note.includes("No model")),
      'answer.notes.some((note) => note.includes("No model"))',
    );
    const closest = answer.alternatives.find((alternative) => alternative.kind === "closest");
    assert.ok(closest?.id && closest.relaxes.length > 0, "closest?.id && closest.relaxes.length > 0");
    assert.ok(Object.keys(answer.excluded).length > 0, "Object.keys(answer.excluded).length > 0");

    // A description that names no job is answered, with the closest tasks to choose from and a warning.
    const vague = await recommendModels(t.hangar, localAdministrator(), {
      description: "something nice for my team",
    });
    assert.equal(vague.lowConfidence, true);
    assert.ok(vague.taskConfidences[0]!.confidence < LOW_CONFIDENCE);
    assert.ok(vague.choices.length >= 3, `${vague.choices.length} choices`);
    for (const choice of vague.choices) {
      assert.ok(Object.hasOwn(PIPELINE_DATA, choice.task), choice.task);
      assert.ok(choice.summary.length > 10 && choice.name.length > 0, choice.summary);
    }
    for (const choice of vague.choices.slice(0, 3)) assert.ok(vague.tasks.includes(choice.task));
    assert.ok(vague.candidates.length > 0, "candidates for the closest tasks");
    assert.ok(
      vague.notes.some((note) => note.startsWith("Not sure which task this is")),
      vague.notes.join(" / "),
    );
  });
});
