// Linear-probe evaluation. Re-exports only.
export { minimizeLbfgs, type LbfgsOptions, type LbfgsResult, type Objective } from "./lbfgs.js";
export { fitLogistic, predict, predictProba, type LogisticModel, type LogisticOptions } from "./logistic.js";
export {
  linearProbe,
  type LinearProbeInput,
  type LinearProbeOptions,
  type LinearProbeResult,
  type GroupAccuracy,
} from "./linear-probe.js";
