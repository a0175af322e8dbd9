/** The model registry: versions pinned to repo commits, promotion gates, aliases with their history. */
export { type ApproveParams, approveVersion } from "./approve-version.ts";
export { type EvaluationGate, type GateResult, type PromotionGates, parseGates } from "./gates.ts";
export { listRepoVersions, type RepoVersionView } from "./list-repo-versions.ts";
export {
  type PromoteParams,
  type Promotion,
  promoteVersion,
  type RollbackParams,
  rollbackAlias,
} from "./move-alias.ts";
export { type RegisterVersionParams, registerVersion } from "./register-version.ts";
export type { LicenceAnswer, LicenceDecider, LicenceQuestion, RegistryContext } from "./registry-context.ts";
export { type ModelReference, resolveModelReference } from "./resolve-model-reference.ts";
export {
  aliasHistory,
  type ConfigureModelParams,
  configureModel,
  type RegisteredModelView,
  showModel,
} from "./show-model.ts";
