/**
 * `--state FILE`: the pool database (and sessions) saved after every change, debounced, written to a
 * temporary file and renamed so a killed simulator never leaves a half-written state; loaded on start.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { DatabaseDump } from "./db";
import type { DiskStoreDump } from "./disk-store";
import type { Session, Simulator } from "./simulator";

interface StateDocument {
  readonly format: "xapi-sim-state";
  readonly version: 1;
  readonly db: DatabaseDump;
  readonly sessions: Record<string, Session>;
  /** Chunk tables of the VDIs; the bytes are in `<state>.chunks` (absent in files from before disks kept bytes). */
  readonly disks?: DiskStoreDump;
}

const DATE_TAG = "$date";

function replacer(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  return raw instanceof Date ? { [DATE_TAG]: raw.getTime() } : value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === DATE_TAG) return new Date((value as Record<string, number>)[DATE_TAG] ?? 0);
  }
  return value;
}

/** Load a saved state into `sim`; false when the file does not exist. */
export function loadState(sim: Simulator, path: string): boolean {
  if (!existsSync(path)) return false;
  const doc = JSON.parse(readFileSync(path, "utf8"), reviver) as StateDocument;
  if (doc.format !== "xapi-sim-state" || doc.version !== 1) throw new Error(`${path} is not an xapi-sim state file`);
  sim.db.load(doc.db);
  sim.disks.load(doc.disks ?? { vdis: {} });
  sim.sessions.clear();
  for (const [ref, session] of Object.entries(doc.sessions)) sim.sessions.set(ref, session);
  return true;
}

export function saveState(sim: Simulator, path: string): void {
  const doc: StateDocument = { format: "xapi-sim-state", version: 1, db: sim.db.dump(), disks: sim.disks.dump(), sessions: Object.fromEntries(sim.sessions) };
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(doc, replacer));
  renameSync(tmp, path);
}

/** Save shortly after changes stop (at most every `delayMs`); `flush()` saves now if anything is pending. */
export class StateSaver {
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private readonly off: () => void;

  constructor(private readonly sim: Simulator, private readonly path: string, private readonly delayMs = 50) {
    this.off = sim.db.onChange(() => this.schedule());
  }

  schedule(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.delayMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty) return;
    this.dirty = false;
    saveState(this.sim, this.path);
  }

  close(): void {
    this.flush();
    this.off();
  }
}
