import type { Command } from "../command.ts";
import { AUDIT_COMMANDS } from "./audit.ts";
import { batchCancelCommand, batchListCommand, batchRunCommand, batchShowCommand } from "./batch.ts";
import { branchCreateCommand, branchDeleteCommand, branchListCommand } from "./branch.ts";
import { BUDGET_COMMANDS } from "./budget.ts";
import { compareCommand } from "./compare.ts";
import { devGenCatalogCommand } from "./dev-gen-catalog.ts";
import { downloadCommand } from "./download.ts";
import {
  endpointDeleteCommand,
  endpointPauseCommand,
  endpointResumeCommand,
  endpointScaleToZeroCommand,
} from "./endpoint-actions.ts";
import { endpointCreateCommand } from "./endpoint-create.ts";
import { endpointDescribeCommand } from "./endpoint-describe.ts";
import { endpointListCommand } from "./endpoint-list.ts";
import { evaluateCommand } from "./evaluate.ts";
import { fsckCommand } from "./fsck.ts";
import { gcCommand } from "./gc.ts";
import { importCommand } from "./import.ts";
import { makeModelCommand } from "./make-model.ts";
import { mcpCommand } from "./mcp.ts";
import { migrateCommand } from "./migrate.ts";
import { orgAddCommand } from "./org-add.ts";
import { orgListCommand } from "./org-list.ts";
import { pipelineRunCommand, pipelineValidateCommand } from "./pipeline.ts";
import { policySetCommand, policyShowCommand } from "./policy.ts";
import { pullCommand } from "./pull.ts";
import { recommendCommand } from "./recommend.ts";
import { REGISTRY_COMMANDS } from "./registry.ts";
import { repoCreateCommand, repoDeleteCommand, repoSettingsCommand } from "./repo.ts";
import { runCommand } from "./run.ts";
import { scanCommand } from "./scan.ts";
import { searchCommand } from "./search.ts";
import { serveCommand } from "./serve.ts";
import { statusCommand } from "./status.ts";
import { syncCommand } from "./sync.ts";
import { tagCreateCommand, tagDeleteCommand, tagListCommand } from "./tag.ts";
import { tokenCreateCommand } from "./token-create.ts";
import { tokenListCommand } from "./token-list.ts";
import { tokenRevokeCommand } from "./token-revoke.ts";
import { uploadCommand } from "./upload.ts";
import { usageCommand, usageEstimateCommand } from "./usage.ts";
import { userAddCommand } from "./user-add.ts";
import { userListCommand } from "./user-list.ts";

/** Every CLI command. Add new ones here. */
export const COMMANDS: Command[] = [
  serveCommand,
  statusCommand,
  importCommand,
  userAddCommand,
  userListCommand,
  tokenCreateCommand,
  tokenListCommand,
  tokenRevokeCommand,
  orgAddCommand,
  orgListCommand,
  fsckCommand,
  gcCommand,
  migrateCommand,
  repoCreateCommand,
  repoDeleteCommand,
  repoSettingsCommand,
  uploadCommand,
  downloadCommand,
  branchCreateCommand,
  branchDeleteCommand,
  branchListCommand,
  tagCreateCommand,
  tagDeleteCommand,
  tagListCommand,
  pullCommand,
  syncCommand,
  devGenCatalogCommand,
  runCommand,
  batchRunCommand,
  batchListCommand,
  batchShowCommand,
  batchCancelCommand,
  pipelineValidateCommand,
  pipelineRunCommand,
  makeModelCommand,
  compareCommand,
  mcpCommand,
  evaluateCommand,
  recommendCommand,
  searchCommand,
  scanCommand,
  ...REGISTRY_COMMANDS,
  ...BUDGET_COMMANDS,
  usageCommand,
  usageEstimateCommand,
  ...AUDIT_COMMANDS,
  policyShowCommand,
  policySetCommand,
  endpointCreateCommand,
  endpointListCommand,
  endpointDescribeCommand,
  endpointPauseCommand,
  endpointResumeCommand,
  endpointScaleToZeroCommand,
  endpointDeleteCommand,
];
