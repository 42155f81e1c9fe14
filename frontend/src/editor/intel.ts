/**
 * Kernel-backed code intelligence for a CodeMirror editor, as JupyterLab does it:
 *
 * - Tab after a non-blank character sends `complete_request` (the editor's whole text, the
 *   cursor in unicode code points as the protocol says) and shows the matches in
 *   @codemirror/autocomplete's popup, with ipykernel's `_jupyter_types_experimental` types
 *   and signatures; a single match is inserted at once. Tab after blanks indents as before.
 *   A reply that comes back after the text or the cursor changed is dropped.
 * - Shift+Tab after a non-blank character sends `inspect_request` and shows the `text/plain`
 *   docs (ANSI colours rendered) in a tooltip at the cursor; Escape, typing or moving closes it.
 * - While the editor has focus, its cursor is what the contextual help panel (model/help.ts)
 *   follows.
 */
import {
  type Completion,
  type CompletionContext,
  type CompletionResult,
  acceptCompletion,
  autocompletion,
  closeCompletion,
  completionStatus,
  insertCompletionText,
  startCompletion,
} from "@codemirror/autocomplete";
import { type EditorState, type Extension, Prec, StateEffect, StateField, type Text } from "@codemirror/state";
import {
  EditorView,
  type Tooltip,
  ViewPlugin,
  type ViewUpdate,
  keymap,
  showTooltip,
} from "@codemirror/view";
import { contextualHelp } from "../model/help";
import { ansiFragment } from "../outputs/ansi";

/** What the editor asks its kernel; each resolves to the reply's content, or null without a kernel. */
export interface KernelAssist {
  complete(code: string, cursorPos: number): Promise<Record<string, unknown> | null>;
  inspect(code: string, cursorPos: number, detailLevel: 0 | 1): Promise<Record<string, unknown> | null>;
}

// --- offsets: CodeMirror counts UTF-16 units, the protocol unicode code points ---------------

/** The code point index of UTF-16 `offset` in `text`. */
export function toCodePoints(text: string, offset: number): number {
  let points = 0;
  for (let i = 0; i < offset && i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    // A low surrogate after a high one belongs to the same code point.
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const prev = text.charCodeAt(i - 1);
      if (prev >= 0xd800 && prev <= 0xdbff) continue;
    }
    points += 1;
  }
  return points;
}

/** The UTF-16 offset of code point index `points` in `text`. */
export function fromCodePoints(text: string, points: number): number {
  let offset = 0;
  for (let p = 0; p < points && offset < text.length; p += 1) {
    const c = text.charCodeAt(offset);
    const next = text.charCodeAt(offset + 1);
    offset += c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
  }
  return offset;
}

// --- completion ------------------------------------------------------------------------------

interface KernelCompletions {
  readonly doc: Text;
  readonly head: number;
  readonly from: number;
  readonly to: number;
  readonly options: readonly Completion[];
}

const setCompletions = StateEffect.define<KernelCompletions | null>();

/** The last reply, kept for the popup's source while the text it answers is unchanged. */
const completionsField = StateField.define<KernelCompletions | null>({
  create: () => null,
  update(value, tr) {
    for (const e of tr.effects) if (e.is(setCompletions)) return e.value;
    return value !== null && tr.docChanged ? null : value;
  },
});

/** ipykernel's types as CodeMirror's icon names (`cm-completionIcon-<name>`). */
const ICONS: Readonly<Record<string, string>> = {
  function: "function",
  builtin_function_or_method: "function",
  method: "method",
  class: "class",
  type: "class",
  module: "namespace",
  keyword: "keyword",
  property: "property",
  instance: "variable",
  statement: "variable",
  param: "variable",
  path: "text",
  magic: "keyword",
};

interface TypedMatch {
  readonly text: string;
  readonly type: string;
  readonly signature: string;
}

/** The reply's matches, with types and signatures when the kernel gives them. */
export function completionMatches(reply: Record<string, unknown>): TypedMatch[] {
  const matches = Array.isArray(reply["matches"]) ? reply["matches"].filter((m) => typeof m === "string") : [];
  const metadata = reply["metadata"];
  const typed =
    metadata !== null && typeof metadata === "object"
      ? (metadata as Record<string, unknown>)["_jupyter_types_experimental"]
      : undefined;
  const info = new Map<string, { type: string; signature: string }>();
  if (Array.isArray(typed)) {
    for (const item of typed) {
      if (item === null || typeof item !== "object") continue;
      const t = item as Record<string, unknown>;
      if (typeof t["text"] !== "string") continue;
      const type = typeof t["type"] === "string" ? t["type"] : "";
      info.set(t["text"], {
        // IPython says "<unknown>" when jedi ran out of time.
        type: type === "<unknown>" ? "" : type,
        signature: typeof t["signature"] === "string" ? t["signature"] : "",
      });
    }
  }
  return matches.map((text) => ({ text, type: info.get(text)?.type ?? "", signature: info.get(text)?.signature ?? "" }));
}

function toCompletion(match: TypedMatch): Completion {
  const icon = ICONS[match.type];
  return {
    label: match.text,
    ...(icon === undefined ? {} : { type: icon }),
    ...(match.signature === "" ? {} : { detail: match.signature }),
    // Read by the type label renderer below.
    kernelType: match.type,
  } as Completion;
}

function typeLabel(completion: Completion): Node | null {
  const type = (completion as { kernelType?: unknown }).kernelType;
  if (typeof type !== "string" || type === "") return null;
  const span = document.createElement("span");
  span.className = "carnet-CompletionType";
  span.textContent = type;
  return span;
}

/** The popup's source: the kernel's last reply for this very text, or (Ctrl+Space) a new request. */
function completionSource(assist: KernelAssist) {
  return async (context: CompletionContext): Promise<CompletionResult | null> => {
    const cached = context.state.field(completionsField, false) ?? null;
    if (cached !== null && cached.doc === context.state.doc && cached.head === context.pos) {
      return { from: cached.from, to: cached.to, options: cached.options, validFor: /^[\w$]*$/ };
    }
    if (!context.explicit) return null;
    const result = await request(assist, context.state);
    if (result === null || context.aborted) return null;
    return { from: result.from, to: result.to, options: result.options, validFor: /^[\w$]*$/ };
  };
}

async function request(assist: KernelAssist, state: EditorState): Promise<KernelCompletions | null> {
  const doc = state.doc;
  const head = state.selection.main.head;
  const code = doc.toString();
  let reply: Record<string, unknown> | null;
  try {
    reply = await assist.complete(code, toCodePoints(code, head));
  } catch {
    return null;
  }
  if (reply === null || reply["status"] !== "ok") return null;
  const start = typeof reply["cursor_start"] === "number" ? fromCodePoints(code, reply["cursor_start"]) : head;
  const end = typeof reply["cursor_end"] === "number" ? fromCodePoints(code, reply["cursor_end"]) : head;
  const options = completionMatches(reply).map(toCompletion);
  return { doc, head, from: Math.min(start, head), to: Math.max(end, head), options };
}

function blankBefore(state: EditorState): boolean {
  const sel = state.selection.main;
  if (!sel.empty) return true;
  const line = state.doc.lineAt(sel.head);
  return state.sliceDoc(line.from, sel.head).trim() === "";
}

/** Tab: completes after a non-blank character (false otherwise, so Tab indents). */
function tabCommand(assist: KernelAssist) {
  return (view: EditorView): boolean => {
    if (completionStatus(view.state) === "active") return acceptCompletion(view);
    if (view.state.readOnly || blankBefore(view.state)) return false;
    void request(assist, view.state).then((result) => {
      // Stale: the text or the cursor moved while the kernel was thinking.
      if (result === null || view.state.doc !== result.doc || view.state.selection.main.head !== result.head) return;
      const only = result.options.length === 1 ? result.options[0] : undefined;
      if (only !== undefined) {
        if (view.state.sliceDoc(result.from, result.to) !== only.label) {
          view.dispatch(insertCompletionText(view.state, only.label, result.from, result.to));
        }
        return;
      }
      if (result.options.length === 0) return;
      view.dispatch({ effects: setCompletions.of(result) });
      startCompletion(view);
    });
    return true;
  };
}

// --- inspection tooltip ----------------------------------------------------------------------

const setInspection = StateEffect.define<{ pos: number; text: string } | null>();

const inspectionField = StateField.define<Tooltip | null>({
  create: () => null,
  update(value, tr) {
    for (const e of tr.effects) {
      if (e.is(setInspection)) {
        if (e.value === null) return null;
        const text = e.value.text;
        return {
          pos: e.value.pos,
          above: false,
          create: () => {
            const dom = document.createElement("div");
            dom.className = "carnet-InspectTooltip";
            dom.setAttribute("role", "tooltip");
            const pre = document.createElement("pre");
            pre.append(ansiFragment(text));
            dom.append(pre);
            return { dom };
          },
        };
      }
    }
    return value !== null && (tr.docChanged || tr.selection !== undefined) ? null : value;
  },
  provide: (f) => showTooltip.from(f),
});

/** The `text/plain` docs of an inspect reply, or null when nothing was found. */
export function inspectText(reply: Record<string, unknown> | null): string | null {
  if (reply === null || reply["status"] !== "ok" || reply["found"] !== true) return null;
  const data = reply["data"];
  if (data === null || typeof data !== "object") return null;
  const text = (data as Record<string, unknown>)["text/plain"];
  return typeof text === "string" && text !== "" ? text : null;
}

async function inspectAt(assist: KernelAssist, state: EditorState, detailLevel: 0 | 1): Promise<string | null> {
  const code = state.doc.toString();
  const reply = await assist.inspect(code, toCodePoints(code, state.selection.main.head), detailLevel);
  return inspectText(reply);
}

function shiftTabCommand(assist: KernelAssist) {
  return (view: EditorView): boolean => {
    if (blankBefore(view.state)) return false;
    const doc = view.state.doc;
    const head = view.state.selection.main.head;
    inspectAt(assist, view.state, 0).then(
      (text) => {
        if (text === null || view.state.doc !== doc || view.state.selection.main.head !== head) return;
        view.dispatch({ effects: setInspection.of({ pos: head, text }) });
      },
      () => undefined,
    );
    return true;
  };
}

/**
 * Escape closes the popup or the tooltip before anything else sees it (the notebook's
 * Escape, bound on the document in the capture phase, would leave edit mode).
 */
const escapeCloses = ViewPlugin.fromClass(
  class {
    private readonly listener = (event: KeyboardEvent): void => {
      if (event.key !== "Escape" || !(event.target instanceof Node) || !this.view.dom.contains(event.target)) return;
      const state = this.view.state;
      const tooltip = state.field(inspectionField, false) ?? null;
      const popup = completionStatus(state) !== null;
      if (tooltip === null && !popup) return;
      event.preventDefault();
      event.stopPropagation();
      if (popup) closeCompletion(this.view);
      if (tooltip !== null) this.view.dispatch({ effects: setInspection.of(null) });
    };

    constructor(readonly view: EditorView) {
      window.addEventListener("keydown", this.listener, true);
    }

    destroy(): void {
      window.removeEventListener("keydown", this.listener, true);
    }
  },
);

/** The contextual help panel follows this editor's cursor while it has focus. */
function followHelp(assist: KernelAssist): Extension {
  return ViewPlugin.fromClass(
    class {
      constructor(readonly view: EditorView) {}

      update(update: ViewUpdate): void {
        const moved = update.selectionSet || update.docChanged || (update.focusChanged && update.view.hasFocus);
        if (!moved || !update.view.hasFocus) return;
        const view = update.view;
        contextualHelp.follow(() => inspectAt(assist, view.state, 0));
      }
    },
  );
}


/** Tab completion, Shift+Tab inspection and contextual help from `assist`. */
export function kernelAssist(assist: KernelAssist): Extension {
  return [
    completionsField,
    inspectionField,
    autocompletion({
      override: [completionSource(assist)],
      activateOnTyping: false,
      addToOptions: [{ render: typeLabel, position: 90 }],
    }),
    Prec.highest(
      keymap.of([
        { key: "Tab", run: tabCommand(assist) },
        { key: "Shift-Tab", run: shiftTabCommand(assist) },
      ]),
    ),
    escapeCloses,
    followHelp(assist),
  ];
}
