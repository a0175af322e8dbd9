import assert from "node:assert/strict";
import { HubApiError } from "@huggingface/hub";

/** The HubApiError a `@huggingface/hub` call fails with; fails the test if the call succeeds. */
export async function apiError(promise: Promise<unknown>): Promise<HubApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HubApiError) return error;
    throw error;
  }
  assert.fail("expected the call to fail");
}
