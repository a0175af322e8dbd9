import { rejectExtraPositionals } from "../client/cli-options.ts";
import {
  type ApiEndpointView,
  ENDPOINT_OPTIONS,
  EndpointsClient,
  endpointLine,
} from "../client/endpoints-client.ts";
import type { Command } from "../command.ts";

export const endpointListCommand: Command = {
  name: ["endpoint", "list"],
  summary: "List a namespace's inference endpoints on a running Hangar: name, state, replicas, model, URL",
  options: ENDPOINT_OPTIONS,
  async run(input) {
    rejectExtraPositionals(input, 0);
    const client = await EndpointsClient.of(input);
    const page = await client.request<{ items: ApiEndpointView[] }>("GET");
    if (input.json) input.stdout.write(`${JSON.stringify(page)}\n`);
    else for (const endpoint of page.items) input.stdout.write(`${endpointLine(endpoint)}\n`);
  },
};
