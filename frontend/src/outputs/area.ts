/**
 * An output area: the outputs of one cell (notebook) or one execution (console), rendered
 * incrementally. `setOutputs` may be called on every change of the document: an output equal
 * to the one already shown (by identity, else by value) keeps its DOM nodes; a stream output
 * whose text grew updates its text in place; only changed outputs are rendered again.
 */
import { type Connection, apiUrl, isRecord } from "../api";
import { formatSize } from "../util/format";
import { ansiFragment, applyTerminalControls } from "./ansi";
import type { MimeRendererRegistry } from "./registry";
import { textOf } from "./renderers";

/** An nbformat output (`stream`, `display_data`, `execute_result`, `error`). */
export interface OutputJSON {
  output_type: string;
  [key: string]: unknown;
}

export interface OutputAreaOptions {
  conn: Connection;
  /** Output of code the user ran, or of a trusted notebook (keeps HTML style attributes). */
  trusted?: boolean;
}

/** `metadata.carnet_truncated`: the server kept the head and tail of a huge output. */
export interface Truncation {
  readonly omittedLines: number;
  readonly omittedBytes: number;
  /** For streams: the lines kept before the omission (the tail follows it). */
  readonly headLines: number | null;
  /** The full output, relative to the base URL: a stream's text, else the output's JSON. */
  readonly url: string;
}

interface Entry {
  output: OutputJSON;
  readonly node: HTMLElement;
  /** The full text, once "Show all" has fetched it. */
  full: string | null;
  /** A stream's `<pre>` and the text it shows, for in-place updates. */
  pre: HTMLPreElement | null;
  shown: string;
  cleanup: (() => void) | null;
}

export function equalJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => equalJson(x, b[i]));
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && equalJson(ra[k], rb[k]));
}

export function truncationOf(output: OutputJSON): Truncation | null {
  const metadata = output["metadata"];
  const t = isRecord(metadata) ? metadata["carnet_truncated"] : undefined;
  if (!isRecord(t) || typeof t["url"] !== "string") return null;
  const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  const head = t["head_lines"];
  return {
    omittedLines: num(t["omitted_lines"]),
    omittedBytes: num(t["omitted_bytes"]),
    headLines: typeof head === "number" && Number.isInteger(head) && head >= 0 ? head : null,
    url: t["url"],
  };
}

function streamText(output: OutputJSON, full: string | null): string {
  return applyTerminalControls(full ?? textOf(output["text"]));
}

export class OutputArea {
  readonly node: HTMLElement;
  private entries: Entry[] = [];
  private disposed = false;
  private readonly conn: Connection;
  private readonly trusted: boolean;

  constructor(
    options: OutputAreaOptions,
    private readonly registry: MimeRendererRegistry,
  ) {
    this.conn = options.conn;
    this.trusted = options.trusted ?? false;
    this.node = document.createElement("div");
    this.node.className = "carnet-OutputArea";
  }

  get length(): number {
    return this.entries.length;
  }

  setOutputs(outputs: readonly OutputJSON[]): void {
    if (this.disposed) return;
    const next: Entry[] = [];
    const dropped: Entry[] = [];
    outputs.forEach((output, i) => {
      const prev = this.entries[i];
      if (prev !== undefined && (prev.output === output || equalJson(prev.output, output))) {
        prev.output = output;
        next.push(prev);
      } else if (prev !== undefined && this.updateStream(prev, output)) {
        next.push(prev);
      } else {
        if (prev !== undefined) dropped.push(prev);
        next.push(this.create(output));
      }
    });
    dropped.push(...this.entries.slice(outputs.length));
    this.entries = next;
    next.forEach((entry, i) => {
      const at = this.node.children[i];
      if (at !== entry.node) this.node.insertBefore(entry.node, at ?? null);
    });
    for (const entry of dropped) {
      entry.node.remove();
      entry.cleanup?.();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const entry of this.entries) entry.cleanup?.();
    this.entries = [];
    this.node.replaceChildren();
    this.node.remove();
  }

  /** A stream output of the same stream whose text changed: its text node is updated. */
  private updateStream(entry: Entry, output: OutputJSON): boolean {
    const prev = entry.output;
    if (
      entry.pre === null ||
      output.output_type !== "stream" ||
      prev.output_type !== "stream" ||
      output["name"] !== prev["name"] ||
      !equalJson(output["metadata"], prev["metadata"])
    ) {
      return false;
    }
    entry.output = output;
    entry.full = null;
    this.showStream(entry, streamText(output, null));
    return true;
  }

  private showStream(entry: Entry, text: string): void {
    const pre = entry.pre;
    if (pre === null || text === entry.shown) return;
    const only = pre.firstChild;
    if (!text.includes("\x1b") && only instanceof Text && only === pre.lastChild) only.data = text;
    else pre.replaceChildren(ansiFragment(text));
    entry.shown = text;
  }

  private create(output: OutputJSON): Entry {
    const node = document.createElement("div");
    node.className = "carnet-Output";
    node.dataset["outputType"] = output.output_type;
    const entry: Entry = { output, node, full: null, pre: null, shown: "", cleanup: null };
    this.render(entry);
    return entry;
  }

  private render(entry: Entry): void {
    const { output, node } = entry;
    node.replaceChildren();
    entry.pre = null;
    entry.shown = "";
    const truncation = entry.full === null ? truncationOf(output) : null;
    const type = output.output_type;
    if (type === "stream") {
      const name = typeof output["name"] === "string" ? output["name"] : "stdout";
      node.dataset["stream"] = name;
      const pre = (): HTMLPreElement => {
        const p = document.createElement("pre");
        p.className = `carnet-Output-stream carnet-mod-${name === "stderr" ? "stderr" : "stdout"}`;
        return p;
      };
      const text = streamText(output, entry.full);
      if (truncation !== null && truncation.headLines !== null) {
        // Head, then the omission, then the tail (updates re-render: the counts change too).
        const lines = text.split("\n");
        const head = pre();
        const tail = pre();
        head.append(ansiFragment(lines.slice(0, truncation.headLines).join("\n")));
        tail.append(ansiFragment(lines.slice(truncation.headLines).join("\n")));
        node.append(head, this.truncationBar(entry, truncation), tail);
        return;
      }
      if (truncation !== null) node.append(this.truncationBar(entry, truncation));
      entry.pre = pre();
      this.showStream(entry, text);
      node.append(entry.pre);
      return;
    }
    if (truncation !== null) node.append(this.truncationBar(entry, truncation));
    if (type === "error") {
      node.append(errorNode(output));
    } else if (type === "display_data" || type === "execute_result" || type === "update_display_data") {
      node.append(entry.full !== null ? this.fullNode(entry.full) : this.bundleNode(output));
    } else {
      const p = document.createElement("pre");
      p.className = "carnet-Output-text";
      p.textContent = `Unknown output type "${type}"`;
      node.append(p);
    }
    if (type === "execute_result" && typeof output["execution_count"] === "number") {
      node.dataset["executionCount"] = String(output["execution_count"]);
    }
  }

  /** A non-stream output fetched in full: the server sends the output's JSON. */
  private fullNode(text: string): HTMLElement {
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: shown as text below.
    }
    if (isRecord(parsed) && typeof parsed["output_type"] === "string") {
      const output = parsed as OutputJSON;
      return output.output_type === "error" ? errorNode(output) : this.bundleNode(output);
    }
    const p = document.createElement("pre");
    p.className = "carnet-Output-text";
    p.append(ansiFragment(text));
    return p;
  }

  private bundleNode(output: OutputJSON): HTMLElement {
    const data = isRecord(output["data"]) ? output["data"] : {};
    const metadata = isRecord(output["metadata"]) ? output["metadata"] : {};
    const found = this.registry.preferred(data, this.trusted);
    if (found === null) {
      const empty = document.createElement("div");
      empty.className = "carnet-Output-empty";
      const types = Object.keys(data);
      if (types.length > 0) empty.textContent = `No renderer for ${types.join(", ")}`;
      return empty;
    }
    const own = metadata[found.mimeType];
    const context = {
      conn: this.conn,
      trusted: this.trusted,
      metadata: isRecord(own) ? { ...metadata, ...own } : metadata,
    };
    let rendered: HTMLElement;
    try {
      rendered = found.renderer.render(data[found.mimeType], found.mimeType, context);
    } catch (error: unknown) {
      rendered = document.createElement("pre");
      rendered.className = "carnet-Output-error";
      rendered.textContent = `Could not render ${found.mimeType}: ${error instanceof Error ? error.message : String(error)}`;
    }
    rendered.dataset["mimeType"] = found.mimeType;
    return rendered;
  }

  private truncationBar(entry: Entry, truncation: Truncation): HTMLElement {
    const bar = document.createElement("div");
    bar.className = "carnet-Output-truncated";
    bar.setAttribute("role", "note");
    const label = document.createElement("span");
    const lines = truncation.omittedLines;
    const what =
      lines > 0
        ? `${lines.toLocaleString()} line${lines === 1 ? "" : "s"} omitted`
        : `${formatSize(truncation.omittedBytes)} not shown`;
    label.textContent = `${what} — `;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "carnet-Button carnet-mod-small carnet-Output-showAll";
    button.textContent = "Show all";
    button.addEventListener("click", () => {
      button.disabled = true;
      button.textContent = "Loading…";
      void this.fetchFull(truncation.url).then(
        (text) => {
          if (this.disposed || !this.entries.includes(entry)) return;
          entry.full = text;
          this.render(entry);
        },
        (error: unknown) => {
          button.disabled = false;
          button.textContent = "Show all";
          label.textContent = `${what} (${error instanceof Error ? error.message : String(error)}) — `;
        },
      );
    });
    bar.append(label, button);
    return bar;
  }

  private async fetchFull(url: string): Promise<string> {
    const response = await fetch(apiUrl(this.conn, url), {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "text/plain" },
    });
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`.trim());
    return response.text();
  }
}

function errorNode(output: OutputJSON): HTMLElement {
  const pre = document.createElement("pre");
  pre.className = "carnet-Output-error";
  const traceback = Array.isArray(output["traceback"])
    ? output["traceback"].filter((line): line is string => typeof line === "string")
    : [];
  const text =
    traceback.length > 0
      ? traceback.join("\n")
      : `${textOf(output["ename"])}: ${textOf(output["evalue"])}`;
  pre.append(ansiFragment(text));
  return pre;
}
