// The FastAPI extension's side of the probe: run the bundle, read the block, prefill the bug form.

export { PROBE_SCHEMA_VERSION } from "./block.js";
export type { Product, ProbeBlock, PublicVersion, Token } from "./block.js";
export { issueFormUrl, BUG_REPORT_TEMPLATE, ISSUE_FORM_FIELDS, type IssueFormField } from "./issue-form.js";
export { probePython, probeReport, REPORT_SCHEMA_VERSION, type ProbePythonOptions, type ProbeReport } from "./probe.js";
export type { ProbeOptions } from "./run.js";

import type { ProbeBlock } from "./block.js";

/** What the probe says about how complete the block is. */
export type ProbeStatus = ProbeBlock["probe_status"];
export { ProbeCache, probePythonCached, type FreshAnswer, type ProbeCacheOptions, type Reason } from "./fresh.js";
export { BlockWatcher, type WatchOptions } from "./watch.js";
