/**
 * A cell's CodeMirror editor bound to the cell's shared Y.Text (y-codemirror.next's sync
 * plugin), with per-user undo (a Y.UndoManager tracking only this binding's origin, so the
 * server's writes and other users' edits are never undone here) and remote cursors from the
 * room's awareness. Only the focused editor publishes this user's cursor, as JupyterLab's
 * collaboration does (`cursors: [{anchor, head, primary, empty}]`, relative positions).
 *
 * Remote carets and selections are drawn with classes and CSSOM colours: the page's CSP
 * forbids style attributes, which y-codemirror.next's own remote-selection plugin writes.
 */
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, foldGutter, foldKeymap, indentOnInput, indentUnit, syntaxHighlighting } from "@codemirror/language";
import {
  Compartment,
  EditorSelection,
  EditorState,
  type Extension,
  type Range,
  StateEffect,
  StateField,
} from "@codemirror/state";
import {
  Decoration,
  type DecorationSet,
  EditorView,
  ViewPlugin,
  type ViewUpdate,
  WidgetType,
  drawSelection,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { YSyncConfig, ySync, ySyncFacet } from "y-codemirror.next";
import * as Y from "yjs";
import type { Awareness } from "y-protocols/awareness";
import { type KernelAssist, kernelAssist } from "../editor/intel";
import { rulers } from "../editor/rulers";
import { loadLanguage } from "../editor/languages";
import { tokenClasses } from "../editor/token-classes";

export interface CellEditorConfig {
  readonly lineNumbers: boolean;
  readonly lineWrap: boolean;
  readonly tabSize: number;
  readonly insertSpaces: boolean;
  readonly matchBrackets: boolean;
  readonly autoClosingBrackets: boolean;
  readonly codeFolding: boolean;
  /** Columns where a vertical ruler is drawn. */
  readonly rulers: readonly number[];
}

export interface CellEditorOptions {
  readonly parent: HTMLElement;
  readonly ytext: Y.Text;
  readonly awareness: Awareness | null;
  readonly language: string | null;
  readonly config: CellEditorConfig;
  readonly label: string;
  readonly onFocus: () => void;
  /** Arrow up on the first line / down on the last: the notebook moves to the next cell. */
  readonly onEdge: (direction: -1 | 1) => boolean;
  readonly onCursor: (line: number, column: number) => void;
  /** Completion and inspection by the kernel (code cells). */
  readonly assist?: KernelAssist | null;
}

export interface CellEditor {
  readonly view: EditorView;
  readonly undoManager: Y.UndoManager;
  focus(): void;
  /** Places the cursor at the start or end of the text. */
  setCursor(where: "start" | "end"): void;
  cursorOffsets(): number[];
  /** Marks the notebook search's matches in this cell (empty clears them). */
  setMatches(matches: readonly FindMark[]): void;
  /** Selects [from, to) and scrolls it into view (a search result). */
  select(from: number, to: number): void;
  configure(config: CellEditorConfig): void;
  setLanguage(language: string | null): void;
  dispose(): void;
}

/** A search match in a cell; `current` is the one the search bar points at. */
export interface FindMark {
  readonly from: number;
  readonly to: number;
  readonly current: boolean;
}

const setFindMarks = StateEffect.define<readonly FindMark[]>();

/** The notebook search's matches as mark decorations (mapped through edits until replaced). */
const findMarks = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    let out = marks.map(tr.changes);
    for (const effect of tr.effects) {
      if (!effect.is(setFindMarks)) continue;
      const length = tr.state.doc.length;
      const ranges = effect.value
        .filter((m) => m.from < m.to && m.to <= length)
        .map((m) =>
          Decoration.mark({ class: m.current ? "carnet-FindMatch carnet-mod-current" : "carnet-FindMatch" }).range(
            m.from,
            m.to,
          ),
        );
      out = Decoration.set(ranges, true);
    }
    return out;
  },
  provide: (field) => EditorView.decorations.from(field),
});

const theme = EditorView.theme({
  "&": { fontSize: "var(--carnet-code-font-size)" },
  ".cm-scroller": { fontFamily: "var(--carnet-code-font)", lineHeight: "1.5" },
  ".cm-content": { padding: "4px 0" },
});

function configExtensions(config: CellEditorConfig): Extension[] {
  const out: Extension[] = [
    EditorState.tabSize.of(config.tabSize),
    indentUnit.of(config.insertSpaces ? " ".repeat(config.tabSize) : "\t"),
  ];
  if (config.lineNumbers) out.push(lineNumbers());
  if (config.lineWrap) out.push(EditorView.lineWrapping);
  if (config.matchBrackets) out.push(bracketMatching());
  if (config.autoClosingBrackets) out.push(closeBrackets(), keymap.of(closeBracketsKeymap));
  if (config.codeFolding) out.push(foldGutter(), keymap.of(foldKeymap));
  out.push(rulers(config.rulers));
  return out;
}

interface CursorJSON {
  anchor: unknown;
  head: unknown;
  primary?: boolean;
  empty?: boolean;
}

interface UserInfo {
  name?: string;
  display_name?: string;
  color?: string;
}

class CaretWidget extends WidgetType {
  constructor(
    readonly color: string,
    readonly name: string,
  ) {
    super();
  }

  override eq(other: CaretWidget): boolean {
    return other.color === this.color && other.name === this.name;
  }

  toDOM(): HTMLElement {
    const caret = document.createElement("span");
    caret.className = "carnet-RemoteCaret";
    caret.style.borderColor = this.color;
    const label = document.createElement("span");
    label.className = "carnet-RemoteCaret-label";
    label.style.backgroundColor = this.color;
    label.textContent = this.name;
    caret.append(label);
    caret.title = this.name;
    return caret;
  }

  override ignoreEvent(): boolean {
    return true;
  }
}

const safeColor = (c: unknown): string => (typeof c === "string" && /^#[0-9a-f]{3,8}$/i.test(c) ? c : "#30bced");

/** Publishes this editor's selection while focused; draws the others' in this cell. */
function remoteCursors(ytext: Y.Text, awareness: Awareness): Extension {
  return ViewPlugin.fromClass(
    class {
      decorations: DecorationSet = Decoration.none;
      private readonly listener: (changes: unknown, origin: unknown) => void;
      private scheduled = false;
      private destroyed = false;

      constructor(readonly view: EditorView) {
        this.listener = (_changes, origin) => {
          if (origin === "local" || this.scheduled) return;
          // Redraw outside any update in progress (an empty dispatch re-reads `decorations`).
          this.scheduled = true;
          queueMicrotask(() => {
            this.scheduled = false;
            if (this.destroyed) return;
            this.decorations = this.build();
            this.view.dispatch({});
          });
        };
        awareness.on("change", this.listener);
        this.decorations = this.build();
      }

      update(update: ViewUpdate): void {
        if (update.view.hasFocus && (update.selectionSet || update.docChanged || update.focusChanged)) {
          this.publish(update.view);
        }
        if (update.docChanged) this.decorations = this.build();
      }

      publish(view: EditorView): void {
        const sel = view.state.selection.main;
        const cursor: CursorJSON = {
          anchor: Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(ytext, sel.anchor)),
          head: Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(ytext, sel.head)),
          primary: true,
          empty: sel.empty,
        };
        awareness.setLocalStateField("cursors", [cursor]);
      }

      build(): DecorationSet {
        const doc = ytext.doc;
        if (doc === null) return Decoration.none;
        const ranges: Range<Decoration>[] = [];
        const length = this.view.state.doc.length;
        awareness.getStates().forEach((state, client) => {
          if (client === awareness.clientID) return;
          const cursors = (state as { cursors?: unknown })["cursors"];
          if (!Array.isArray(cursors)) return;
          const user = ((state as { user?: UserInfo }).user ?? {}) as UserInfo;
          for (const c of cursors as CursorJSON[]) {
            if (c === null || typeof c !== "object") continue;
            try {
              const anchor = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(c.anchor), doc);
              const head = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(c.head), doc);
              if (anchor === null || head === null || anchor.type !== ytext || head.type !== ytext) continue;
              const from = Math.min(anchor.index, head.index, length);
              const to = Math.min(Math.max(anchor.index, head.index), length);
              if (to > from) ranges.push(Decoration.mark({ class: "carnet-RemoteSelection" }).range(from, to));
              const name = user.display_name ?? user.name ?? "Anonymous";
              ranges.push(
                Decoration.widget({ widget: new CaretWidget(safeColor(user.color), name), side: 1 }).range(
                  Math.min(head.index, length),
                ),
              );
            } catch {
              // A malformed cursor from another client: ignore it.
            }
          }
        });
        return Decoration.set(ranges, true);
      }

      destroy(): void {
        this.destroyed = true;
        awareness.off("change", this.listener);
      }
    },
    { decorations: (v) => v.decorations },
  );
}

export function createCellEditor(options: CellEditorOptions): CellEditor {
  const language = new Compartment();
  const configured = new Compartment();
  const sync = new YSyncConfig(options.ytext, options.awareness);
  const undoManager = new Y.UndoManager(options.ytext, { trackedOrigins: new Set([sync]), captureTimeout: 500 });
  const undo = (): boolean => {
    undoManager.undo();
    return true;
  };
  const redo = (): boolean => {
    undoManager.redo();
    return true;
  };
  const edgeKeys = keymap.of([
    {
      key: "ArrowUp",
      run: (view) => {
        const sel = view.state.selection.main;
        if (!sel.empty || view.state.doc.lineAt(sel.head).number !== 1) return false;
        return options.onEdge(-1);
      },
    },
    {
      key: "ArrowDown",
      run: (view) => {
        const sel = view.state.selection.main;
        if (!sel.empty || view.state.doc.lineAt(sel.head).number !== view.state.doc.lines) return false;
        return options.onEdge(1);
      },
    },
    { key: "Mod-z", run: undo, preventDefault: true },
    { key: "Mod-y", run: redo, preventDefault: true },
    { key: "Mod-Shift-z", run: redo, preventDefault: true },
  ]);
  const extensions: Extension[] = [
    theme,
    highlightSpecialChars(),
    drawSelection(),
    indentOnInput(),
    syntaxHighlighting(tokenClasses),
    edgeKeys,
    keymap.of([...defaultKeymap, indentWithTab]),
    findMarks,
    configured.of(configExtensions(options.config)),
    language.of([]),
    ySyncFacet.of(sync),
    ySync,
    EditorView.contentAttributes.of({ "aria-label": options.label }),
    EditorView.domEventHandlers({
      focus: () => {
        options.onFocus();
        return false;
      },
    }),
    EditorView.updateListener.of((update) => {
      if (update.selectionSet || update.docChanged) {
        const head = update.state.selection.main.head;
        const line = update.state.doc.lineAt(head);
        options.onCursor(line.number, head - line.from + 1);
      }
    }),
  ];
  if (options.assist != null) extensions.push(kernelAssist(options.assist));
  if (options.awareness !== null) extensions.push(remoteCursors(options.ytext, options.awareness));
  const view = new EditorView({
    state: EditorState.create({ doc: options.ytext.toString(), extensions }),
    parent: options.parent,
  });
  let destroyed = false;
  let languageId: string | null = null;
  const setLanguage = (id: string | null): void => {
    languageId = id;
    if (id === null) {
      view.dispatch({ effects: language.reconfigure([]) });
      return;
    }
    loadLanguage(id).then(
      (ext) => {
        if (ext !== null && !destroyed && languageId === id) view.dispatch({ effects: language.reconfigure(ext) });
      },
      () => undefined,
    );
  };
  setLanguage(options.language);
  return {
    view,
    undoManager,
    focus: () => view.focus(),
    setCursor(where) {
      const pos = where === "start" ? 0 : view.state.doc.length;
      view.dispatch({ selection: EditorSelection.cursor(pos), scrollIntoView: true });
    },
    cursorOffsets() {
      const sel = view.state.selection.main;
      return sel.empty ? [sel.head] : [sel.from, sel.to];
    },
    setMatches(matches) {
      view.dispatch({ effects: setFindMarks.of(matches) });
    },
    select(from, to) {
      const length = view.state.doc.length;
      const anchor = Math.min(from, length);
      const head = Math.min(to, length);
      view.dispatch({
        selection: EditorSelection.range(anchor, head),
        effects: EditorView.scrollIntoView(EditorSelection.range(anchor, head), { y: "center" }),
      });
    },
    configure(config) {
      view.dispatch({ effects: configured.reconfigure(configExtensions(config)) });
    },
    setLanguage,
    dispose() {
      destroyed = true;
      if (options.awareness !== null) {
        const cursors = (options.awareness.getLocalState() as { cursors?: unknown } | null)?.cursors;
        if (Array.isArray(cursors) && view.hasFocus) options.awareness.setLocalStateField("cursors", []);
      }
      view.destroy();
      undoManager.destroy();
    },
  };
}
