import type { BackendCall, CallMeter, InferenceBackend } from "./backend.ts";

/** What a usage event records of a call's charge: its cost and who and what it is billed to. */
export interface UsageCharge {
  costNanos: number;
  tokens: number;
  tokenId: number | null;
  org: string | null;
  route: string | null;
  priceSource: string | null;
}

/** What was metered of a call when it ended (or failed), for its price and settlement. */
export interface MeteredCall {
  meter: CallMeter;
  inputUnits: number;
  unit: "tokens" | "characters";
  outputUnits: number;
  outputUnit: string;
  latencyMs: number;
}

/** One admitted call: settles its reservation to what it really cost, once (later calls return the same). */
export interface GateTicket {
  settle(metered: MeteredCall): Promise<UsageCharge>;
}

/**
 * What every inference call passes before and after its backend runs, whatever the backend (budgets,
 * token rate limits and pricing: src/governance/budgets). `admit` reserves the call's worst case or refuses
 * it (402 over a budget, 429 over a token rate limit); it may bound the call's parameters (a `max_new_tokens`
 * for a remote generation that names none) so that the worst case is a true bound.
 */
export interface InferenceGate {
  admit(call: BackendCall, backend: InferenceBackend): Promise<GateTicket>;
  /** Who a call that was refused or failed before admission is billed to (no cost). */
  attribute(call: BackendCall, backend: InferenceBackend): UsageCharge;
}
