/**
 * The history of one notebook, in a tab beside it: the saved versions (newest first, from
 * `GET api/history/<path>`), and for the selected one its cells compared with the current
 * notebook (added, removed and changed cells marked; changed ones line by line) or a preview
 * of its cells, and "Restore this version", which replaces the notebook's cells in one
 * undoable operation (Z in command mode brings them back). The list follows saves.
 */
import type { Message } from "@lumino/messaging";
import { Widget } from "@lumino/widgets";
import "@preact/signals";
import { batch, effect, signal } from "@preact/signals-core";
import { render } from "preact";
import { type HistoryVersion, type HistoryVersionContent, getHistoryVersion, listHistory } from "../api/history";
import type { CarnetApp } from "../plugins/api";
import "../style/history.css";
import { debounce } from "../util/debounce";
import { basename } from "../util/paths";
import type { DocumentWidget } from "../views/document";
import { describeError } from "../views/notify";
import type { NotebookActions } from "./actions";
import { type CellChange, type DiffCell, diffCells } from "./diff";
import type { CellJSON, CellType } from "./model";

export type HistoryTarget = NotebookActions & DocumentWidget;

type Tab = "changes" | "preview";

const views = new WeakMap<HistoryTarget, HistoryView>();
let counter = 0;

/** Opens (or shows again) the history tab of `notebook`, beside it. */
export function openHistory(app: CarnetApp, notebook: HistoryTarget): HistoryView {
  let view = views.get(notebook);
  if (view === undefined || view.isDisposed) {
    view = new HistoryView(app, notebook);
    views.set(notebook, view);
    app.shell.addToMain(view, { mode: "split-right", ref: notebook });
  } else {
    app.shell.activate(view);
  }
  void view.refresh();
  return view;
}

function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string").join("");
  return "";
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The cells of an nbformat notebook, as the notebook model takes them. */
export function notebookCells(content: Record<string, unknown>): CellJSON[] {
  const cells = Array.isArray(content["cells"]) ? content["cells"] : [];
  const out: CellJSON[] = [];
  for (const raw of cells) {
    const cell = record(raw);
    if (cell === undefined) continue;
    const type: CellType = cell["cell_type"] === "markdown" || cell["cell_type"] === "raw" ? cell["cell_type"] : "code";
    const json: CellJSON = { cell_type: type, source: text(cell["source"]), metadata: record(cell["metadata"]) ?? {} };
    if (typeof cell["id"] === "string") json.id = cell["id"];
    if (type === "code") {
      const outputs = Array.isArray(cell["outputs"]) ? cell["outputs"] : [];
      json.outputs = outputs.map(record).filter((o): o is Record<string, unknown> => o !== undefined);
      json.execution_count = typeof cell["execution_count"] === "number" ? cell["execution_count"] : null;
    } else {
      const attachments = record(cell["attachments"]);
      if (attachments !== undefined) json.attachments = attachments;
    }
    out.push(json);
  }
  return out;
}

const asDiff = (c: CellJSON): DiffCell => ({ id: c.id ?? "", type: c.cell_type, source: c.source });

function when(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} kB` : `${(bytes / 1048576).toFixed(1)} MB`;
}

const LABELS: Record<CellChange["kind"], string> = {
  same: "unchanged",
  changed: "changed",
  added: "added",
  removed: "removed",
};

export class HistoryView extends Widget {
  private readonly versions = signal<readonly HistoryVersion[] | null>(null);
  private readonly error = signal("");
  private readonly selected = signal<HistoryVersionContent | null>(null);
  private readonly loadingId = signal<number | null>(null);
  private readonly tab = signal<Tab>("changes");
  /** The current notebook's cells, read again when they change. */
  private readonly current = signal<readonly DiffCell[]>([]);
  private readonly stops: (() => void)[] = [];
  private readonly refreshSoon = debounce(() => void this.refresh(), 300);

  constructor(
    private readonly app: CarnetApp,
    readonly notebook: HistoryTarget,
  ) {
    super();
    counter += 1;
    this.id = `carnet-history-${counter}`;
    this.addClass("carnet-HistoryView");
    this.title.closable = true;
    this.node.tabIndex = -1;
    this.stops.push(
      effect(() => {
        const name = basename(notebook.path.value);
        this.title.label = `History: ${name}`;
        this.title.caption = `Saved versions of ${notebook.path.value}`;
        this.refreshSoon();
      }),
      effect(() => {
        // Every save is a version: ask again once the notebook is saved.
        if (notebook.saveState.value === "saved") this.refreshSoon();
      }),
      effect(() => {
        void notebook.contentVersion.value;
        if (this.selected.peek() !== null && this.isVisible) this.current.value = notebook.cellSources();
      }),
    );
    const onClosed = (): void => this.dispose();
    notebook.disposed.connect(onClosed);
    this.stops.push(() => notebook.disposed.disconnect(onClosed));
    render(<this.View />, this.node);
  }

  async refresh(): Promise<void> {
    try {
      const versions = await listHistory(this.app.conn, this.notebook.path.value);
      if (this.isDisposed) return;
      batch(() => {
        this.versions.value = versions;
        this.error.value = "";
      });
    } catch (error: unknown) {
      if (!this.isDisposed) this.error.value = `Could not list the versions: ${describeError(error)}`;
    }
  }

  private async select(id: number): Promise<void> {
    this.loadingId.value = id;
    try {
      const version = await getHistoryVersion(this.app.conn, this.notebook.path.value, id);
      if (this.isDisposed || this.loadingId.peek() !== id) return;
      batch(() => {
        this.current.value = this.notebook.cellSources();
        this.selected.value = version;
        this.error.value = "";
      });
    } catch (error: unknown) {
      if (!this.isDisposed) this.error.value = `Could not load version ${id}: ${describeError(error)}`;
    } finally {
      if (this.loadingId.peek() === id) this.loadingId.value = null;
    }
  }

  private restore(version: HistoryVersionContent): void {
    if (this.notebook.isDisposed) return;
    this.notebook.restoreCells(notebookCells(version.content));
    this.current.value = this.notebook.cellSources();
    this.app.shell.activate(this.notebook);
    this.app.notify(
      `Restored the version of ${when(version.time)}. Undo Cell Operation (Z) brings the notebook back.`,
    );
  }

  private readonly View = (): preact.JSX.Element => {
    const versions = this.versions.value;
    const selected = this.selected.value;
    const error = this.error.value;
    return (
      <div class="carnet-History">
        <section class="carnet-History-versions" aria-label="Versions">
          <div class="carnet-History-header">
            <h2 class="carnet-SidePanel-title">Versions</h2>
            <button type="button" class="carnet-Button carnet-mod-small" onClick={() => void this.refresh()}>
              Refresh
            </button>
          </div>
          {this.app.mode !== "lab" && (
            // One tab at a time here: the way back to the notebook.
            <button
              type="button"
              class="carnet-Button carnet-mod-small carnet-History-back"
              onClick={() => this.app.shell.activate(this.notebook)}
            >
              Back to the notebook
            </button>
          )}
          {versions === null ? (
            <p class="carnet-History-empty">Loading…</p>
          ) : versions.length === 0 ? (
            <p class="carnet-History-empty">No saved versions yet: each save of this notebook adds one.</p>
          ) : (
            <ul class="carnet-History-list" role="listbox" aria-label="Saved versions">
              {versions.map((v) => (
                <li
                  key={v.id}
                  role="option"
                  tabIndex={0}
                  aria-selected={selected?.id === v.id}
                  class={`carnet-History-version${selected?.id === v.id ? " carnet-mod-selected" : ""}`}
                  data-version-id={v.id}
                  onClick={() => void this.select(v.id)}
                  onKeyDown={(e) => {
                    if (e.key === "Enter" || e.key === " ") {
                      e.preventDefault();
                      void this.select(v.id);
                    }
                  }}
                >
                  <span class="carnet-History-time">{when(v.time)}</span>
                  <span class="carnet-History-size">{size(v.size)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="carnet-History-detail" aria-label="Selected version">
          {error !== "" && (
            <p class="carnet-Notice-inline" role="alert">
              {error}
            </p>
          )}
          {selected === null ? (
            <p class="carnet-History-empty">Select a version to preview it and compare it with the notebook.</p>
          ) : (
            <this.Detail version={selected} />
          )}
        </section>
      </div>
    );
  };

  private readonly Detail = (props: { version: HistoryVersionContent }): preact.JSX.Element => {
    const { version } = props;
    const tab = this.tab.value;
    const cells = notebookCells(version.content);
    const changes = diffCells(cells.map(asDiff), this.current.value);
    const count = (kind: CellChange["kind"]): number => changes.filter((c) => c.kind === kind).length;
    return (
      <div class="carnet-History-version-detail" data-version-id={version.id}>
        <div class="carnet-History-toolbar">
          <div class="carnet-History-tabs" role="tablist">
            {(["changes", "preview"] as const).map((t) => (
              <button
                key={t}
                type="button"
                role="tab"
                aria-selected={tab === t}
                class={`carnet-History-tab${tab === t ? " carnet-mod-selected" : ""}`}
                onClick={() => (this.tab.value = t)}
              >
                {t === "changes" ? "Changes" : "Preview"}
              </button>
            ))}
          </div>
          <button type="button" class="carnet-Button carnet-mod-accept carnet-mod-small" onClick={() => this.restore(version)}>
            Restore this version
          </button>
        </div>
        <p class="carnet-History-summary">
          {when(version.time)}: {cells.length} cells.{" "}
          {tab === "changes" &&
            (changes.every((c) => c.kind === "same")
              ? "Same cells as the notebook now."
              : `Since then: ${count("changed")} changed, ${count("added")} added, ${count("removed")} removed.`)}
        </p>
        {tab === "changes" ? (
          <ol class="carnet-History-cells" aria-label="Changes since this version">
            {changes.map((change, i) => (
              <ChangeRow key={i} change={change} />
            ))}
          </ol>
        ) : (
          <ol class="carnet-History-cells" aria-label="Cells of this version">
            {cells.map((cell, i) => (
              <li key={i} class="carnet-History-cell" data-cell-type={cell.cell_type}>
                <div class="carnet-History-label">{cell.cell_type}</div>
                <pre class="carnet-History-source">{cell.source}</pre>
              </li>
            ))}
          </ol>
        )}
      </div>
    );
  };

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    if (this.selected.peek() !== null) this.current.value = this.notebook.cellSources();
  }

  protected override onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    const target = this.node.querySelector<HTMLElement>(".carnet-mod-selected, [role=option]");
    (target ?? this.node).focus();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    for (const stop of this.stops) stop();
    this.refreshSoon.cancel();
    render(null, this.node);
    super.dispose();
  }
}

function ChangeRow(props: { change: CellChange }): preact.JSX.Element {
  const { change } = props;
  const cell = change.kind === "removed" ? change.old : change.new;
  return (
    <li class={`carnet-History-cell carnet-mod-${change.kind}`} data-change={change.kind} data-cell-type={cell.type}>
      <div class="carnet-History-label">
        {cell.type} · {LABELS[change.kind]}
        {change.kind === "changed" && change.old.type !== change.new.type ? ` (was ${change.old.type})` : ""}
      </div>
      {change.kind === "changed" ? (
        <pre class="carnet-History-source">
          {change.lines.map((line, i) => (
            <span key={i} class={`carnet-History-line carnet-mod-${line.kind}`}>
              {line.kind === "added" ? "+ " : line.kind === "removed" ? "- " : "  "}
              {line.text}
              {"\n"}
            </span>
          ))}
        </pre>
      ) : (
        <pre class="carnet-History-source">{change.kind === "same" ? firstLines(cell.source) : cell.source}</pre>
      )}
    </li>
  );
}

/** Unchanged cells show their first lines only. */
function firstLines(source: string): string {
  const lines = source.split("\n");
  return lines.length <= 3 ? source : `${lines.slice(0, 3).join("\n")}\n…`;
}
