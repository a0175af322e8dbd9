import { randomBytes } from "node:crypto";
import {
  type Action,
  auth,
  type ClientContext,
  encodeRepo,
  judge,
  maybeAuth,
  pick,
} from "./client-context.ts";
import type { Answer } from "./http.ts";

interface MalformedRequest {
  name: string;
  expected: readonly number[];
  send(context: ClientContext): Promise<Answer>;
}

function postJson(context: ClientContext, path: string, body: string, headers = auth(context)) {
  return context.http.send({
    path,
    method: "POST",
    headers: { ...headers, "Content-Type": "application/json" },
    body,
  });
}

const MALFORMED: MalformedRequest[] = [
  {
    name: "repo create with a body that is not JSON",
    expected: [400],
    send: (context) => postJson(context, "/api/repos/create", '{"name": "half'),
  },
  {
    name: "repo create with a number for a name",
    expected: [400],
    send: (context) => postJson(context, "/api/repos/create", '{"name": 42, "type": "model"}'),
  },
  {
    name: "commit line without content",
    expected: [400],
    send: (context) =>
      context.http.send({
        path: `/api/models/${encodeRepo(context.user.repo)}/commit/main`,
        method: "POST",
        headers: { ...auth(context), "Content-Type": "application/x-ndjson" },
        body: `${JSON.stringify({ key: "header", value: { summary: "bad" } })}\n${JSON.stringify({ key: "file", value: { path: "x.txt" } })}\n`,
      }),
  },
  {
    name: "commit line that is not JSON",
    expected: [400],
    send: (context) =>
      context.http.send({
        path: `/api/models/${encodeRepo(context.user.repo)}/commit/main`,
        method: "POST",
        headers: { ...auth(context), "Content-Type": "application/x-ndjson" },
        body: '{"key":"header",\n',
      }),
  },
  {
    name: "LFS batch with objects that are not a list",
    expected: [400],
    send: (context) =>
      context.http.send({
        path: `/${encodeRepo(context.user.repo)}.git/info/lfs/objects/batch`,
        method: "POST",
        headers: { ...auth(context), "Content-Type": "application/vnd.git-lfs+json" },
        body: '{"operation":"upload","objects":"all of them"}',
      }),
  },
  {
    name: "range past the end of a file",
    expected: [416],
    send: (context) =>
      context.http.send({
        path: `/${encodeRepo(context.world.assets.repo)}/resolve/main/config.json`,
        headers: { Range: "bytes=99999999-" },
      }),
  },
  {
    name: "unknown repo (anonymous: 401, with a token: 404)",
    expected: [401, 404],
    send: (context) =>
      context.http.send({ path: "/api/models/nobody/no-such-repo", headers: maybeAuth(context) }),
  },
  {
    name: "unknown file",
    expected: [404],
    send: (context) =>
      context.http.send({ path: `/${encodeRepo(context.world.assets.repo)}/resolve/main/no-such-file.bin` }),
  },
  {
    name: "inference with a number for inputs",
    expected: [400],
    send: (context) =>
      postJson(
        context,
        "/v1/inference/text-classification",
        '{"model":"hangar/sentiment-tiny","inputs":5}',
        {},
      ),
  },
  {
    name: "inference on an unknown model (anonymous)",
    expected: [401],
    send: (context) =>
      postJson(context, "/v1/inference/text-classification", '{"model":"nobody/nothing","inputs":"x"}', {}),
  },
  {
    name: "malformed percent-encoding in a path",
    expected: [400],
    send: (context) => context.http.send({ path: "/api/models/%E0%A4%A/x" }),
  },
  {
    name: "discover with a parameter count that is not one",
    expected: [400],
    send: (context) => context.http.send({ path: "/v1/discover?params_min=banana" }),
  },
  {
    name: "listing with a negative limit",
    expected: [400],
    send: (context) => context.http.send({ path: "/api/models?limit=-5" }),
  },
];

export const malformed: Action = {
  kind: "malformed request",
  weight: 9,
  run: async (context) => {
    const request = pick(context, MALFORMED);
    return judge(request.name, await request.send(context), request.expected);
  },
};

/**
 * An unknown token, at most one per gate interval across all clients; 429 counts as expected too, in case
 * the throttle's window straddles the gate's.
 */
export const badToken: Action = {
  kind: "bad token",
  weight: 2,
  mayRun: (context) => context.badTokens.tryPass(),
  run: async (context) => {
    const answer = await context.http.send({
      path: "/api/whoami-v2",
      headers: { Authorization: `Bearer hf_${randomBytes(17).toString("hex")}` },
    });
    return judge("GET /api/whoami-v2 with an unknown token", answer, [401, 429]);
  },
};
