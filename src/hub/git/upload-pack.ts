import { nextTurn } from "../../core/next-turn.ts";
import type { Repo } from "../../core/types.ts";
import { lsRefs } from "../../git/advertise.ts";
import { type FetchRequest, parseV0Fetch, parseV2Command, parseV2Fetch } from "../../git/fetch-request.ts";
import { PackWriter, SidebandWriter, type Sink } from "../../git/pack-writer.ts";
import { DELIM, FLUSH, parsePackets, pktLine } from "../../git/pkt-line.ts";
import type { HubScope } from "../hub.ts";
import { listGitRefs } from "./git-refs.ts";
import { commonCommits, type PackPlan, planPack } from "./plan-pack.ts";
import { RepoObjects } from "./repo-objects.ts";

/** Lines one request may hold: wants, haves and shallows, with room for the rest. */
const MAX_PACKETS = 250_000;
/** How often progress is reported while a pack goes out. */
const PROGRESS_INTERVAL_MS = 500;
/** Objects written between turns of the event loop: small ones are deflated on it, at once. */
const OBJECTS_PER_TURN = 256;
/** Blobs up to this size are read whole rather than streamed. */
const SMALL_BLOB_BYTES = 256 * 1024;

export interface UploadPackParams {
  version: 0 | 2;
  /** The request body, already inflated. */
  body: Buffer;
  sink: Sink;
}

/** `ERR` answers a request git cannot be served; git prints it as `remote error: ...` and stops. */
export function errLine(message: string): Buffer {
  return pktLine(`ERR ${message.replace(/\n/g, " ").slice(0, 60_000)}\n`);
}

/**
 * Answers one `git-upload-pack` request (one round of a stateless fetch): protocol v2's `ls-refs` and
 * `fetch`, or a protocol v0 negotiation round. Errors before any output propagate; the route answers them
 * with an `ERR` line.
 */
export async function serveUploadPack(hub: HubScope, repo: Repo, params: UploadPackParams): Promise<void> {
  const packets = parsePackets(params.body, MAX_PACKETS);
  const objects = new RepoObjects(hub, repo);
  if (params.version === 2) {
    const command = parseV2Command(packets);
    if (command.command === "ls-refs") {
      await params.sink(lsRefs(await listGitRefs(hub, repo), command.args));
      return;
    }
    if (command.command !== "fetch") {
      await params.sink(errLine(`unknown command "${command.command.slice(0, 60)}"`));
      return;
    }
    await fetchV2(objects, parseV2Fetch(command.args), params.sink);
    return;
  }
  const request = parseV0Fetch(packets);
  if (request.wants.length === 0) return;
  await fetchV0(objects, request, params.sink);
}

async function fetchV2(objects: RepoObjects, request: FetchRequest, sink: Sink): Promise<void> {
  const head: Buffer[] = [];
  if (!request.done) {
    // Hangar is ready as soon as the client has any commit it knows: the pack then leaves out what those hold.
    const common = await commonCommits(objects, request.haves);
    head.push(pktLine("acknowledgments\n"));
    if (common.length === 0) head.push(pktLine("NAK\n"));
    for (const oid of common) head.push(pktLine(`ACK ${oid}\n`));
    if (common.length === 0) {
      await sink(Buffer.concat([...head, FLUSH]));
      return;
    }
    head.push(pktLine("ready\n"), DELIM);
  }
  const plan = await planPack(objects, request);
  if (request.depth !== undefined || request.deepenSince !== undefined || request.shallows.length > 0) {
    head.push(pktLine("shallow-info\n"), ...shallowLines(plan), DELIM);
  }
  head.push(pktLine("packfile\n"));
  await sink(Buffer.concat(head));
  await sendPack(objects, plan, new SidebandWriter(sink, true, !request.noProgress));
}

async function fetchV0(objects: RepoObjects, request: FetchRequest, sink: Sink): Promise<void> {
  const deepening = request.depth !== undefined || request.deepenSince !== undefined;
  const plan = deepening || request.done ? await planPack(objects, request) : undefined;
  const head: Buffer[] = [];
  if (deepening) head.push(...shallowLines(plan!), FLUSH);
  const common = await commonCommits(objects, request.haves);
  if (!request.done && !request.negotiates) {
    // git's upload-pack stops here too: the client reads the shallow list, then asks again with its haves.
    await sink(Buffer.concat(head));
    return;
  }
  if (!request.done) {
    for (const oid of common) head.push(pktLine(`ACK ${oid} common\n`));
    head.push(pktLine("NAK\n"));
    await sink(Buffer.concat(head));
    return;
  }
  head.push(pktLine(common.length > 0 ? `ACK ${common[common.length - 1]}\n` : "NAK\n"));
  await sink(Buffer.concat(head));
  await sendPack(objects, plan!, new SidebandWriter(sink, request.sideband, !request.noProgress));
}

function shallowLines(plan: PackPlan): Buffer[] {
  return [
    ...plan.shallow.map((oid) => pktLine(`shallow ${oid}\n`)),
    ...plan.unshallow.map((oid) => pktLine(`unshallow ${oid}\n`)),
  ];
}

/** Streams the pack of a plan, with progress on band 2; a failure midway goes to the client on band 3. */
async function sendPack(objects: RepoObjects, plan: PackPlan, out: SidebandWriter): Promise<void> {
  const total = plan.objects.length;
  const pack = new PackWriter((chunk) => out.data(chunk));
  let current = "";
  try {
    await out.progress(`Enumerating objects: ${total}, done.\n`);
    await pack.begin(total);
    let lastReport = Date.now();
    for (const [index, object] of plan.objects.entries()) {
      if (index % OBJECTS_PER_TURN === OBJECTS_PER_TURN - 1) await nextTurn();
      if (object.type !== "blob") await pack.object(object.type, object.body);
      else if ("inline" in object) await pack.object("blob", object.inline);
      else {
        current = object.path;
        // Small files (most of a repo) are read whole and deflated at once: a stream per file costs more
        // thread-pool round trips than its bytes.
        if (object.size <= SMALL_BLOB_BYTES) {
          const bytes = await objects.blobBytes(object.sha256, object.path);
          if (bytes.byteLength !== object.size) {
            throw new Error(`the stored bytes of ${object.path} are not its ${object.size} bytes`);
          }
          await pack.object("blob", bytes);
        } else {
          await pack.streamedObject(
            "blob",
            object.size,
            await objects.blobStream(object.sha256, object.path),
          );
        }
        current = "";
      }
      if (Date.now() - lastReport >= PROGRESS_INTERVAL_MS) {
        lastReport = Date.now();
        const done = index + 1;
        await out.progress(`Sending objects: ${Math.floor((done * 100) / total)}% (${done}/${total})\r`);
      }
    }
    await pack.end();
    await out.progress(`Sending objects: 100% (${total}/${total}), done.\n`);
    await out.end();
  } catch (error) {
    const what = current ? ` while sending ${current}` : "";
    await out.error(`Hangar could not finish the pack${what}: ${(error as Error).message}`).catch(() => {});
    throw error;
  }
}
