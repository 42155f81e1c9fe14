/**
 * A notebook over its shared Y.Doc (jupyter_ydoc's YNotebook schema, contract §1): reading
 * cells, and the structural edits of the notebook editor (insert, delete, move, change type,
 * merge, split, clear outputs, paste), each one Y transaction with this view's origin so the
 * structural undo manager (Z) undoes only this user's operations. No DOM here.
 *
 * Yjs has no move: a moved cell is deleted and a copy with the same id inserted, in one
 * transaction, so other views receive one update and never see the cell twice.
 */
import * as Y from "yjs";

export type CellType = "code" | "markdown" | "raw";
export type ExecutionState = "idle" | "queued" | "running";
export type YCell = Y.Map<unknown>;

/** nbformat JSON of one cell (what the clipboard and moves carry). */
export interface CellJSON {
  id?: string;
  cell_type: CellType;
  source: string;
  metadata?: Record<string, unknown>;
  outputs?: Record<string, unknown>[];
  execution_count?: number | null;
  attachments?: Record<string, unknown>;
}

export interface StdinRequest {
  readonly requestId: string;
  readonly cellId: string;
  readonly prompt: string;
  readonly password: boolean;
}

export interface Conflict {
  readonly message: string;
  readonly historyPath: string;
}

export function newCellId(): string {
  return typeof crypto.randomUUID === "function"
    ? crypto.randomUUID()
    : `${Date.now().toString(16)}-${Math.random().toString(16).slice(2)}`;
}

export function cellId(cell: YCell): string {
  const id = cell.get("id");
  return typeof id === "string" ? id : "";
}

export function cellType(cell: YCell): CellType {
  const t = cell.get("cell_type");
  return t === "markdown" || t === "raw" ? t : "code";
}

/** The cell's source Text (created if a malformed cell lacks one). */
export function cellSource(cell: YCell): Y.Text {
  const source = cell.get("source");
  if (source instanceof Y.Text) return source;
  const text = new Y.Text(typeof source === "string" ? source : "");
  cell.set("source", text);
  return text;
}

export function sourceText(cell: YCell): string {
  const source = cell.get("source");
  return source instanceof Y.Text ? source.toString() : typeof source === "string" ? source : "";
}

export function executionCount(cell: YCell): number | null {
  const n = cell.get("execution_count");
  return typeof n === "number" ? n : null;
}

export function executionState(cell: YCell): ExecutionState {
  const s = cell.get("execution_state");
  return s === "queued" || s === "running" ? s : "idle";
}

export function cellOutputs(cell: YCell): Y.Array<unknown> | null {
  const outputs = cell.get("outputs");
  return outputs instanceof Y.Array ? outputs : null;
}

/** The outputs as nbformat JSON (a stream's Text becomes its string). */
export function outputsJSON(cell: YCell): Record<string, unknown>[] {
  const outputs = cellOutputs(cell);
  if (outputs === null) return [];
  const out: Record<string, unknown>[] = [];
  for (const item of outputs.toArray()) {
    const value: unknown = item instanceof Y.AbstractType ? item.toJSON() : item;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      out.push(value as Record<string, unknown>);
    }
  }
  return out;
}

/** The cell's metadata map (null when the cell has none, or a plain object). */
export function cellMetadataMap(cell: YCell): Y.Map<unknown> | null {
  const m = cell.get("metadata");
  return m instanceof Y.Map ? (m as Y.Map<unknown>) : null;
}

export function cellMetadata(cell: YCell): Record<string, unknown> {
  const m = cell.get("metadata");
  if (m instanceof Y.Map) return m.toJSON() as Record<string, unknown>;
  return typeof m === "object" && m !== null ? (m as Record<string, unknown>) : {};
}

export function cellToJSON(cell: YCell): CellJSON {
  const type = cellType(cell);
  const json: CellJSON = { id: cellId(cell), cell_type: type, source: sourceText(cell), metadata: cellMetadata(cell) };
  if (type === "code") {
    json.outputs = outputsJSON(cell);
    json.execution_count = executionCount(cell);
  } else {
    const attachments = cell.get("attachments");
    if (typeof attachments === "object" && attachments !== null) {
      json.attachments = attachments as Record<string, unknown>;
    }
  }
  return json;
}

/** A new shared cell, built as jupyter_ydoc's `create_ycell` does. */
export function createCell(json: CellJSON): YCell {
  const entries: [string, unknown][] = [
    ["id", json.id ?? newCellId()],
    ["cell_type", json.cell_type],
    ["source", new Y.Text(json.source)],
    ["metadata", new Y.Map(Object.entries(json.metadata ?? {}))],
  ];
  if (json.cell_type === "code") {
    const outputs = (json.outputs ?? []).map((o) => {
      const copy: [string, unknown][] = Object.entries(o).map(([k, v]) => [
        k,
        k === "text" && o["output_type"] === "stream"
          ? new Y.Text(Array.isArray(v) ? v.join("") : typeof v === "string" ? v : "")
          : v,
      ]);
      return new Y.Map(copy);
    });
    entries.push(
      ["outputs", Y.Array.from(outputs)],
      ["execution_count", json.execution_count ?? null],
      ["execution_state", "idle"],
    );
  } else if (json.attachments !== undefined && Object.keys(json.attachments).length > 0) {
    entries.push(["attachments", json.attachments]);
  }
  return new Y.Map(entries);
}

/** The origin of this view's edits that the structural undo does not track. */
const VIEW_STATE = { viewState: true };

export class NotebookModel {
  readonly cells: Y.Array<YCell>;
  readonly meta: Y.Map<unknown>;
  readonly carnet: Y.Map<unknown>;
  /** Structural undo (Z): only this view's cell operations. */
  readonly undoManager: Y.UndoManager;

  constructor(
    readonly doc: Y.Doc,
    /** The transaction origin of this view's structural edits. */
    readonly origin: object = {},
  ) {
    this.cells = doc.getArray<YCell>("cells");
    this.meta = doc.getMap("meta");
    this.carnet = doc.getMap("carnet");
    this.undoManager = new Y.UndoManager(this.cells, { trackedOrigins: new Set([origin]), captureTimeout: 0 });
  }

  get length(): number {
    return this.cells.length;
  }

  cell(index: number): YCell | undefined {
    return this.cells.get(index);
  }

  indexOf(id: string): number {
    const all = this.cells.toArray();
    return all.findIndex((c) => cellId(c) === id);
  }

  transact(fn: () => void): void {
    this.doc.transact(fn, this.origin);
  }

  /** The notebook's `metadata.kernelspec.name`, if any. */
  kernelName(): string | null {
    const metadata = this.meta.get("metadata");
    const json = metadata instanceof Y.Map ? (metadata.toJSON() as Record<string, unknown>) : metadata;
    if (typeof json !== "object" || json === null) return null;
    const spec = (json as Record<string, unknown>)["kernelspec"];
    if (typeof spec !== "object" || spec === null) return null;
    const name = (spec as Record<string, unknown>)["name"];
    return typeof name === "string" && name !== "" ? name : null;
  }

  /** Records the kernel chosen in the picker in `metadata.kernelspec`. */
  setKernelSpec(name: string, displayName: string, language: string): void {
    this.transact(() => {
      let metadata = this.meta.get("metadata");
      if (!(metadata instanceof Y.Map)) {
        const old = typeof metadata === "object" && metadata !== null ? Object.entries(metadata) : [];
        metadata = new Y.Map(old);
        this.meta.set("metadata", metadata);
      }
      (metadata as Y.Map<unknown>).set("kernelspec", { name, display_name: displayName, language });
    });
  }

  stdin(): StdinRequest | null {
    const v = this.carnet.get("stdin");
    if (typeof v !== "object" || v === null) return null;
    const r = v as Record<string, unknown>;
    if (typeof r["request_id"] !== "string" || typeof r["cell_id"] !== "string") return null;
    return {
      requestId: r["request_id"],
      cellId: r["cell_id"],
      prompt: typeof r["prompt"] === "string" ? r["prompt"] : "",
      password: r["password"] === true,
    };
  }

  conflict(): Conflict | null {
    const v = this.carnet.get("conflict");
    if (typeof v !== "object" || v === null) return null;
    const r = v as Record<string, unknown>;
    return {
      message: typeof r["message"] === "string" ? r["message"] : "The file changed on disk.",
      historyPath: typeof r["history_path"] === "string" ? r["history_path"] : "",
    };
  }

  insert(index: number, type: CellType, source = ""): YCell {
    const cell = createCell({ cell_type: type, source });
    this.transact(() => this.cells.insert(Math.max(0, Math.min(index, this.cells.length)), [cell]));
    return cell;
  }

  /** Inserts copies of `cells` (fresh ids) at `index`. */
  paste(index: number, cells: readonly CellJSON[]): void {
    if (cells.length === 0) return;
    const fresh = cells.map((c) => {
      const { id: _id, ...rest } = c;
      return createCell(rest);
    });
    this.transact(() => this.cells.insert(Math.max(0, Math.min(index, this.cells.length)), fresh));
  }

  /**
   * Replaces every cell with `cells` (a version from the history): one transaction with this
   * view's origin, so the structural undo (Z) brings the cells back as they were.
   */
  replaceAll(cells: readonly CellJSON[]): void {
    const fresh = (cells.length > 0 ? cells : [{ cell_type: "code" as const, source: "" }]).map((c) => createCell(c));
    this.transact(() => {
      this.cells.delete(0, this.cells.length);
      this.cells.insert(0, fresh);
    });
  }

  /** Deletes the cells at `indices`; a notebook never ends up empty (one empty code cell stays). */
  remove(indices: readonly number[]): void {
    const sorted = [...new Set(indices)].filter((i) => i >= 0 && i < this.cells.length).sort((a, b) => b - a);
    if (sorted.length === 0) return;
    this.transact(() => {
      for (const i of sorted) this.cells.delete(i, 1);
      if (this.cells.length === 0) this.cells.insert(0, [createCell({ cell_type: "code", source: "" })]);
    });
  }

  /**
   * Moves the contiguous block [from, from+count) so that it starts at `to` (an index in the
   * notebook without the block). Same ids, one transaction.
   */
  move(from: number, count: number, to: number): void {
    if (count <= 0 || from < 0 || from + count > this.cells.length) return;
    const target = Math.max(0, Math.min(to, this.cells.length - count));
    if (target === from) return;
    const copies = this.cells
      .slice(from, from + count)
      .map((c) => createCell(cellToJSON(c)));
    this.transact(() => {
      this.cells.delete(from, count);
      this.cells.insert(target, copies);
    });
  }

  setType(indices: readonly number[], type: CellType): void {
    this.transact(() => {
      for (const i of indices) {
        const cell = this.cells.get(i);
        if (cell === undefined || cellType(cell) === type) continue;
        const json = cellToJSON(cell);
        const next: CellJSON = { cell_type: type, source: json.source };
        if (json.id !== undefined) next.id = json.id;
        if (json.metadata !== undefined) next.metadata = json.metadata;
        this.cells.delete(i, 1);
        this.cells.insert(i, [createCell(next)]);
      }
    });
  }

  /** Joins the cells at `indices` (sorted) into the first one; returns its index. */
  merge(indices: readonly number[]): number {
    const sorted = [...new Set(indices)].sort((a, b) => a - b);
    const first = sorted[0];
    if (first === undefined || sorted.length < 2) return first ?? -1;
    const cells = sorted.map((i) => this.cells.get(i)).filter((c): c is YCell => c !== undefined);
    const head = cells[0];
    if (head === undefined) return first;
    const source = cells.map((c) => sourceText(c)).join("\n");
    const json = cellToJSON(head);
    const merged: CellJSON = { cell_type: json.cell_type, source };
    if (json.id !== undefined) merged.id = json.id;
    if (json.metadata !== undefined) merged.metadata = json.metadata;
    this.transact(() => {
      for (const i of [...sorted].reverse()) this.cells.delete(i, 1);
      this.cells.insert(first, [createCell(merged)]);
    });
    return first;
  }

  /** Splits the cell at `index` at the UTF-16 offsets (cursor or selection ends). */
  split(index: number, offsets: readonly number[]): void {
    const cell = this.cells.get(index);
    if (cell === undefined) return;
    const text = sourceText(cell);
    const cuts = [...new Set(offsets.map((o) => Math.max(0, Math.min(o, text.length))))].sort((a, b) => a - b);
    const parts: string[] = [];
    let last = 0;
    for (const cut of cuts) {
      parts.push(text.slice(last, cut));
      last = cut;
    }
    parts.push(text.slice(last));
    const pieces = parts.map((p) => p.replace(/^\n+|\n+$/g, ""));
    const type = cellType(cell);
    this.transact(() => {
      const source = cellSource(cell);
      source.delete(0, source.length);
      source.insert(0, pieces[0] ?? "");
      const rest = pieces.slice(1).map((p) => createCell({ cell_type: type, source: p }));
      if (type === "code") {
        const outputs = cellOutputs(cell);
        if (outputs !== null && outputs.length > 0) outputs.delete(0, outputs.length);
        cell.set("execution_count", null);
      }
      this.cells.insert(index + 1, rest);
    });
  }

  clearOutputs(indices: readonly number[]): void {
    this.transact(() => {
      for (const i of indices) {
        const cell = this.cells.get(i);
        if (cell === undefined || cellType(cell) !== "code") continue;
        const outputs = cellOutputs(cell);
        if (outputs !== null && outputs.length > 0) outputs.delete(0, outputs.length);
        if (executionCount(cell) !== null) cell.set("execution_count", null);
      }
    });
  }

  /** Sets a key of the cell's metadata (collapsed, jupyter.source_hidden…); `undoable`
   * false keeps it out of the structural undo (a view state such as a collapsed heading). */
  setMetadata(index: number, key: string, value: unknown, undoable = true): void {
    const cell = this.cells.get(index);
    if (cell === undefined) return;
    this.doc.transact(() => {
      let metadata = cell.get("metadata");
      if (!(metadata instanceof Y.Map)) {
        metadata = new Y.Map(Object.entries(typeof metadata === "object" && metadata !== null ? metadata : {}));
        cell.set("metadata", metadata);
      }
      const m = metadata as Y.Map<unknown>;
      if (value === undefined) m.delete(key);
      else m.set(key, value);
    }, undoable ? this.origin : VIEW_STATE);
  }

  dispose(): void {
    this.undoManager.destroy();
  }
}
