import fs from 'node:fs';
import path from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

type temporalHistory = proto.temporal.api.history.v1.IHistory;

// `historyToJSON`/`historyFromJSON` of @temporalio/common load protobufjs from their own folder, a
// different copy than the one @temporalio/proto's types were built with here (npm nests three copies of
// protobufjs 8 beside grpc's 7), so its `instanceof Type` check fails. The same conversion with the copy
// @temporalio/proto itself uses: the canonical proto3 JSON that `temporal workflow show --output json` writes.
const protoDir = path.dirname(require.resolve('@temporalio/proto/package.json'));
const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] })) as {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, opts: { ignoreUnknownFields: boolean }): unknown;
};
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');

function historyToJSON(history: temporalHistory): unknown {
  return protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history));
}

function historyFromJSON(json: unknown): proto.temporal.api.history.v1.History {
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as proto.temporal.api.history.v1.History;
}

/** Where the recorded workflow histories live (replayed by test/workflow/replay.test.ts). */
export const HISTORIES_DIR = path.join(__dirname, '..', 'fixtures', 'histories');

/**
 * The fixture sets, oldest first. Each is the same lifecycles recorded by one version of the workflow and
 * stays as long as histories of that version can still be open in production (docs/workflow-versioning.md).
 * `1.0` is the baseline: every pre-1.0 patch folded in (no installation runs older code).
 */
export const HISTORY_SETS = ['1.0'] as const;
export type HistorySet = (typeof HISTORY_SETS)[number];
/** The set `npm run record-histories` writes unless told otherwise: the current workflow's. */
export const CURRENT_HISTORY_SET: HistorySet = '1.0';

/** The folder of a fixture set. */
export function historySetDir(set: HistorySet): string {
  return path.join(HISTORIES_DIR, set);
}

/** One recorded run of a workflow, as stored in a fixture file. */
export interface HistoryFixture {
  /** The lifecycle it shows, e.g. `paid-at-once` or `continue-as-new.2`. */
  name: string;
  description: string;
  workflowId: string;
  runId: string;
  workflowType: string;
  /** The history in Temporal's JSON form (`temporal workflow show --output json` reads the same). */
  history: unknown;
}

/** A loaded fixture: its set, the stored fields and the parsed history. */
export type LoadedHistory = HistoryFixture & { set: HistorySet; parsed: proto.temporal.api.history.v1.History };

/** Writes one fixture file of a set, named after the lifecycle. */
export function saveHistory(fixture: Omit<HistoryFixture, 'history'> & { history: temporalHistory }, set: HistorySet = CURRENT_HISTORY_SET): string {
  const dir = historySetDir(set);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${fixture.name}.json`);
  const json = { ...fixture, history: historyToJSON(fixture.history) };
  fs.writeFileSync(file, `${JSON.stringify(json, null, 1)}\n`);
  return file;
}

/** Deletes a lifecycle's fixture files (`<name>.json`, `<name>.*.json`) from a set, before it is recorded again. */
export function removeHistories(name: string, set: HistorySet): void {
  const dir = historySetDir(set);
  if (!fs.existsSync(dir)) return;
  for (const f of fs.readdirSync(dir)) {
    if (f === `${name}.json` || (f.startsWith(`${name}.`) && f.endsWith('.json'))) fs.rmSync(path.join(dir, f));
  }
}

/** Every recorded fixture of the given sets (all by default), set by set, in name order. */
export function loadHistories(sets: readonly HistorySet[] = HISTORY_SETS): LoadedHistory[] {
  return sets.flatMap((set) => {
    const dir = historySetDir(set);
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => {
      const fixture = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as HistoryFixture;
      return { ...fixture, set, parsed: historyFromJSON(fixture.history) };
    });
  });
}
