/**
 * The text editor (CodeMirror 6), loaded on demand: `createEditor` builds a view with
 * carnet's theme (CSS variables, so light/dark need no reconfiguration), search/replace,
 * history and the user's editor settings, and returns a small handle the editor widget uses.
 * Languages load separately (languages.ts) and are swapped in when they arrive.
 */
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab, redo, undo } from "@codemirror/commands";
import {
  bracketMatching,
  foldGutter,
  foldKeymap,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from "@codemirror/language";
import { highlightSelectionMatches, openSearchPanel, search, searchKeymap } from "@codemirror/search";
import { Compartment, EditorSelection, EditorState, type Extension } from "@codemirror/state";
import {
  EditorView,
  crosshairCursor,
  drawSelection,
  dropCursor,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  rectangularSelection,
} from "@codemirror/view";
import { rulers } from "./rulers";
import { loadLanguage } from "./languages";
import { tokenClasses } from "./token-classes";

export interface EditorConfig {
  readonly lineNumbers: boolean;
  readonly lineWrap: boolean;
  readonly tabSize: number;
  readonly insertSpaces: boolean;
  readonly highlightActiveLine: boolean;
  readonly matchBrackets: boolean;
  readonly autoClosingBrackets: boolean;
  readonly codeFolding: boolean;
  /** Columns where a vertical ruler is drawn. */
  readonly rulers: readonly number[];
}

export interface EditorOptions {
  readonly parent: HTMLElement;
  readonly doc: string;
  readonly language?: string;
  readonly readOnly: boolean;
  readonly config: EditorConfig;
  readonly label: string;
  readonly onChange: () => void;
  readonly onCursor: (line: number, column: number, selected: number) => void;
}

export interface EditorHandle {
  readonly view: EditorView;
  getText(): string;
  /** Replaces the text (a reload from disk); the cursor stays near where it was. */
  setText(text: string): void;
  focus(): void;
  goToLine(line: number): void;
  lineCount(): number;
  openSearch(replace: boolean): void;
  undo(): void;
  redo(): void;
  configure(config: EditorConfig): void;
  setReadOnly(readOnly: boolean): void;
  dispose(): void;
}

/** Layout only; colours come from CSS variables in style/editor.css. */
const theme = EditorView.theme({
  "&": { height: "100%", fontSize: "var(--carnet-code-font-size)" },
  ".cm-scroller": { fontFamily: "var(--carnet-code-font)", lineHeight: "1.5" },
  ".cm-content": { padding: "4px 0" },
});

function configExtensions(config: EditorConfig): Extension[] {
  const out: Extension[] = [
    EditorState.tabSize.of(config.tabSize),
    indentUnit.of(config.insertSpaces ? " ".repeat(config.tabSize) : "\t"),
  ];
  if (config.lineNumbers) out.push(lineNumbers(), highlightActiveLineGutter());
  if (config.lineWrap) out.push(EditorView.lineWrapping);
  if (config.highlightActiveLine) out.push(highlightActiveLine());
  if (config.matchBrackets) out.push(bracketMatching());
  if (config.autoClosingBrackets) out.push(closeBrackets(), keymap.of(closeBracketsKeymap));
  if (config.codeFolding) out.push(foldGutter(), keymap.of(foldKeymap));
  out.push(rulers(config.rulers));
  return out;
}

export function createEditor(options: EditorOptions): EditorHandle {
  const language = new Compartment();
  const configured = new Compartment();
  const readOnly = new Compartment();
  const readOnlyExt = (ro: boolean): Extension => [EditorState.readOnly.of(ro), EditorView.editable.of(!ro)];
  const state = EditorState.create({
    doc: options.doc,
    extensions: [
      theme,
      highlightSpecialChars(),
      history(),
      drawSelection(),
      dropCursor(),
      EditorState.allowMultipleSelections.of(true),
      indentOnInput(),
      syntaxHighlighting(tokenClasses),
      rectangularSelection(),
      crosshairCursor(),
      highlightSelectionMatches(),
      search({ top: true }),
      keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap, indentWithTab]),
      configured.of(configExtensions(options.config)),
      readOnly.of(readOnlyExt(options.readOnly)),
      language.of([]),
      EditorView.contentAttributes.of({ "aria-label": options.label }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) options.onChange();
        if (update.docChanged || update.selectionSet) {
          const head = update.state.selection.main.head;
          const line = update.state.doc.lineAt(head);
          const selected = update.state.selection.ranges.reduce((n, r) => n + r.to - r.from, 0);
          options.onCursor(line.number, head - line.from + 1, selected);
        }
      }),
    ],
  });
  const view = new EditorView({ state, parent: options.parent });
  let destroyed = false;
  options.onCursor(1, 1, 0);
  loadLanguage(options.language).then(
    (ext) => {
      if (ext !== null && !destroyed) view.dispatch({ effects: language.reconfigure(ext) });
    },
    (error: unknown) => console.warn(`carnet: could not load the ${options.language ?? ""} language`, error),
  );

  return {
    view,
    getText: () => view.state.doc.toString(),
    setText(text) {
      const head = Math.min(view.state.selection.main.head, text.length);
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: text },
        selection: EditorSelection.cursor(head),
      });
    },
    focus: () => view.focus(),
    goToLine(line) {
      const n = Math.max(1, Math.min(view.state.doc.lines, Math.floor(line)));
      const pos = view.state.doc.line(n).from;
      view.dispatch({ selection: EditorSelection.cursor(pos), scrollIntoView: true });
      view.dispatch({ effects: EditorView.scrollIntoView(pos, { y: "center" }) });
      view.focus();
    },
    lineCount: () => view.state.doc.lines,
    openSearch(replace) {
      openSearchPanel(view);
      const field = view.dom.querySelector<HTMLInputElement>(
        replace ? ".cm-search input[name=replace]" : ".cm-search input[name=search]",
      );
      field?.focus();
      field?.select();
    },
    undo: () => void undo(view),
    redo: () => void redo(view),
    configure(config) {
      view.dispatch({ effects: configured.reconfigure(configExtensions(config)) });
    },
    setReadOnly(ro) {
      view.dispatch({ effects: readOnly.reconfigure(readOnlyExt(ro)) });
    },
    dispose() {
      destroyed = true;
      view.destroy();
    },
  };
}
