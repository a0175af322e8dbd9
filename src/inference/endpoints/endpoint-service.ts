import { HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import { assertCanWrite } from "../../hub/access.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import { recordAudit } from "../../hub/audit/record-audit.ts";
import type { InferenceBackend } from "../backend.ts";
import { Endpoint, type EndpointRecord, resolveEndpointModel } from "./endpoint.ts";
import { EndpointFleet, type EndpointFleetParams } from "./endpoint-fleet.ts";
import type { EndpointMetricsReport } from "./endpoint-metrics.ts";
import { assertMayPointElsewhere, changedFields, isMember, notFound, rowOf } from "./endpoint-records.ts";
import {
  applyUpdateBody,
  checkEndpointName,
  type EndpointSpec,
  type EndpointState,
  specFromCreateBody,
} from "./endpoint-spec.ts";

/** An endpoint as the API shows it: its record and what it is doing now. */
export interface EndpointView {
  record: EndpointRecord;
  readyReplicas: number;
  targetReplicas: number;
  pricePerReplicaHour: number;
}

/**
 * Hangar's inference endpoints as the API sees them: who may see and change a namespace's endpoints, and
 * create, read, update, delete, pause, resume and scale to zero, each change audited with the catalog row
 * it changes. The endpoints themselves run in the fleet (endpoint-fleet.ts).
 */
export class EndpointService {
  readonly fleet: EndpointFleet;

  constructor(private readonly params: EndpointFleetParams) {
    this.fleet = new EndpointFleet(params);
  }

  /** Loads the endpoints from the catalog and brings each back in its state; starts the autoscaler. */
  start(): Promise<void> {
    return this.fleet.start();
  }

  private async find(caller: Caller, namespace: string, name: string): Promise<Endpoint> {
    const endpoint = await this.fleet.find(namespace, name);
    // Someone else's endpoints are not found, as on the Hub: they cannot be told from missing ones.
    if (!endpoint || !isMember(caller, namespace)) throw notFound(namespace, name);
    return endpoint;
  }

  /** Who may look at a namespace's endpoints: its user or an organisation's members (and admins). */
  private assertMember(caller: Caller, namespace: string): void {
    if (!caller) {
      throw new HangarError(
        "HANGAR_ERR_UNAUTHORIZED",
        "Inference endpoints need a token: send one as a Bearer token",
      );
    }
    if (!isMember(caller, namespace)) {
      throw new HangarError(
        "HANGAR_ERR_FORBIDDEN",
        `You are not a member of "${namespace}": only its members see and manage its inference endpoints`,
      );
    }
  }

  /** An endpoint as the API shows it, its price read from the price table again. */
  private async view(endpoint: Endpoint): Promise<EndpointView> {
    await endpoint.refreshPrice();
    return {
      record: endpoint.record,
      readyReplicas: endpoint.readyReplicas,
      targetReplicas: endpoint.targetReplicas,
      pricePerReplicaHour: endpoint.pricePerReplicaHour,
    };
  }

  async list(caller: Caller, namespace: string): Promise<EndpointView[]> {
    this.assertMember(caller, namespace);
    const listed = (await this.fleet.all())
      .filter((endpoint) => endpoint.record.namespace.toLowerCase() === namespace.toLowerCase())
      .sort((a, b) => a.record.name.localeCompare(b.record.name));
    return Promise.all(listed.map((endpoint) => this.view(endpoint)));
  }

  /** Every endpoint the caller may see, in every namespace (the MCP tool). */
  async listVisible(caller: Caller): Promise<EndpointView[]> {
    const visible = (await this.fleet.all()).filter(
      (endpoint) => caller && isMember(caller, endpoint.record.namespace),
    );
    return Promise.all(visible.map((endpoint) => this.view(endpoint)));
  }

  async get(caller: Caller, namespace: string, name: string): Promise<EndpointView> {
    this.assertMember(caller, namespace);
    return this.view(await this.find(caller, namespace, name));
  }

  async metrics(caller: Caller, namespace: string, name: string): Promise<EndpointMetricsReport> {
    this.assertMember(caller, namespace);
    const endpoint = await this.find(caller, namespace, name);
    await endpoint.refreshPrice();
    return endpoint.metrics.report(endpoint.pricePerReplicaHour);
  }

  /** Every endpoint with its numbers, for `/metrics`. */
  snapshot(): ReturnType<EndpointFleet["snapshot"]> {
    return this.fleet.snapshot();
  }

  /**
   * Creates an endpoint from a v2 create body. A local model is checked first (the caller may read it, a
   * loader runs it, the task is one of its tasks) and its revision pinned to a commit; the endpoint then
   * starts in the background (`pending`, `initializing`, `running`).
   */
  async create(caller: Caller, namespace: string, body: Record<string, unknown>): Promise<EndpointView> {
    this.assertMember(caller, namespace);
    assertCanWrite(caller, namespace);
    const name = checkEndpointName(body.name);
    const spec = specFromCreateBody(body);
    if (spec.remote) assertMayPointElsewhere(caller);
    const owner = await this.params.hub.catalog.accounts.getNamespace(namespace);
    if (!owner) throw new HangarError("HANGAR_ERR_NOT_FOUND", `Namespace "${namespace}" not found`);
    if (!spec.remote) {
      const tasks = await this.pinModel(spec, caller);
      spec.model.task ??= tasks[0] ?? null;
    }
    // Loaded first, so that the catalog's endpoints are not loaded again with this one among them.
    await this.start();
    const now = nowIso();
    const record: EndpointRecord = {
      namespace: owner.name,
      name,
      spec,
      state: "pending",
      message: "",
      createdAt: now,
      updatedAt: now,
      createdBy: caller!.user,
      updatedBy: caller!.user,
    };
    const inserted = await this.params.hub.catalog.transaction(async (tx) => {
      if (!(await tx.endpoints.insert(rowOf(record)))) return false;
      await recordAudit(tx, {
        caller,
        action: "endpoint.create",
        target: `endpoint:${owner.name}/${name}`,
        details: {
          repository: spec.model.repository,
          revision: spec.model.revision,
          vendor: spec.provider.vendor,
        },
      });
      return true;
    });
    if (!inserted) {
      throw new HangarError(
        "HANGAR_ERR_CONFLICT",
        `An inference endpoint named "${name}" already exists in ${owner.name}`,
      );
    }
    const endpoint = new Endpoint(record, this.fleet.context);
    this.fleet.add(endpoint);
    return this.view(endpoint);
  }

  /** Applies an update body (only the fields it has); a new model or size reloads the replicas. */
  async update(caller: Caller, namespace: string, name: string, body: Record<string, unknown>) {
    this.assertMember(caller, namespace);
    const endpoint = await this.find(caller, namespace, name);
    assertCanWrite(caller, namespace);
    const { spec, modelChanged, sizeChanged } = applyUpdateBody(endpoint.record.spec, body);
    if (spec.remote && JSON.stringify(spec.remote) !== JSON.stringify(endpoint.record.spec.remote)) {
      assertMayPointElsewhere(caller);
    }
    if (modelChanged && !spec.remote) await this.pinModel(spec, caller);
    const now = nowIso();
    await this.params.hub.catalog.transaction(async (tx) => {
      await tx.endpoints.saveSpec(endpoint.record.namespace, name, JSON.stringify(spec), now, caller!.user);
      await recordAudit(tx, {
        caller,
        action: "endpoint.update",
        target: `endpoint:${endpoint.id}`,
        details: {
          fields: changedFields(body),
          repository: spec.model.repository,
          revision: spec.model.revision,
        },
      });
    });
    endpoint.record = { ...endpoint.record, updatedAt: now, updatedBy: caller!.user };
    const applying = endpoint.update(spec, modelChanged || sizeChanged);
    // Bounds apply at once; a reload runs in the background (`updating`, then `running`).
    if (!(modelChanged || sizeChanged)) await applying;
    else void applying;
    return this.view(endpoint);
  }

  async delete(caller: Caller, namespace: string, name: string): Promise<void> {
    this.assertMember(caller, namespace);
    const endpoint = await this.find(caller, namespace, name);
    assertCanWrite(caller, namespace);
    await this.params.hub.catalog.transaction(async (tx) => {
      await tx.endpoints.delete(endpoint.record.namespace, name);
      await recordAudit(tx, { caller, action: "endpoint.delete", target: `endpoint:${endpoint.id}` });
    });
    await this.fleet.remove(endpoint);
  }

  /** Pause, resume or scale to zero, audited with the state it leads to. */
  async lifecycle(
    caller: Caller,
    namespace: string,
    name: string,
    action: "pause" | "resume" | "scale-to-zero",
  ): Promise<EndpointView> {
    this.assertMember(caller, namespace);
    const endpoint = await this.find(caller, namespace, name);
    assertCanWrite(caller, namespace);
    if (action === "resume" && (endpoint.state === "running" || endpoint.state === "initializing")) {
      // huggingface_hub's resume(running_ok=True) looks for exactly this: 400 and "already running".
      throw new HangarError("HANGAR_ERR_BAD_REQUEST", `Endpoint ${endpoint.id} is already running`);
    }
    const target: EndpointState =
      action === "pause" ? "paused" : action === "resume" ? "initializing" : "scaledToZero";
    await this.params.hub.catalog.transaction(async (tx) => {
      await tx.endpoints.saveState(endpoint.record.namespace, name, target, "");
      await recordAudit(tx, {
        caller,
        action: `endpoint.${action === "scale-to-zero" ? "scale_to_zero" : action}`,
        target: `endpoint:${endpoint.id}`,
        details: { from: endpoint.state },
      });
    });
    if (action === "pause") await endpoint.pause();
    else if (action === "scale-to-zero") await endpoint.scaleToZero();
    else {
      endpoint.record = { ...endpoint.record, state: "initializing", message: "" };
      void endpoint.start();
    }
    return this.view(endpoint);
  }

  /** The backend of a model name `endpoints/{namespace}/{name}`, for the inference runtime. */
  backendFor(model: string): InferenceBackend | undefined {
    return this.fleet.backendFor(model);
  }

  /** The endpoint a request to its URL names, if the caller may reach it (for its health route). */
  state(caller: Caller, namespace: string, name: string): Promise<EndpointState> {
    return this.fleet.state(caller, namespace, name);
  }

  /**
   * Checks that a local model can serve the endpoint (the caller may read it, a loader runs it, the task
   * is one of its tasks) and pins its revision to a commit; returns the model's tasks.
   */
  private async pinModel(spec: EndpointSpec, caller: Caller): Promise<readonly string[]> {
    const resolved = await resolveEndpointModel(this.fleet.context, spec, caller);
    if (spec.model.task && !resolved.tasks.includes(spec.model.task)) {
      throw new HangarError(
        "HANGAR_ERR_BAD_REQUEST",
        `"model.task": ${spec.model.repository} cannot do ${spec.model.task}; it can do ${resolved.tasks.join(", ")}`,
      );
    }
    spec.model.revision = resolved.source.commit.oid;
    return resolved.tasks;
  }

  close(): Promise<void> {
    return this.fleet.close();
  }
}
