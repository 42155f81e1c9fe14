/**
 * The console's prompt editor: carnet's CodeMirror editor (editor/codemirror.ts) plus the
 * console keys: Shift+Enter runs; Up on the first line and Down on the last walk the input
 * history. Loaded on demand with CodeMirror (its own chunk).
 */
import { completionStatus } from "@codemirror/autocomplete";
import { EditorSelection, Prec, StateEffect } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";
import { type EditorHandle, createEditor } from "../editor/codemirror";
import { type KernelAssist, kernelAssist } from "../editor/intel";

export interface InputEditorOptions {
  readonly parent: HTMLElement;
  readonly language: string;
  readonly label: string;
  readonly onRun: () => void;
  readonly onHistory: (direction: -1 | 1) => string | null;
  /** Tab completion, Shift+Tab inspection and contextual help from the console's kernel. */
  readonly assist?: KernelAssist;
}

export interface InputEditor {
  readonly handle: EditorHandle;
  getText(): string;
  /** Replaces the text, the cursor at its end. */
  setText(text: string): void;
  focus(): void;
  dispose(): void;
}

export function createInputEditor(options: InputEditorOptions): InputEditor {
  const handle = createEditor({
    parent: options.parent,
    doc: "",
    language: options.language,
    readOnly: false,
    label: options.label,
    config: {
      lineNumbers: false,
      lineWrap: true,
      tabSize: 4,
      insertSpaces: true,
      highlightActiveLine: false,
      matchBrackets: true,
      autoClosingBrackets: false,
      codeFolding: false,
      rulers: [],
    },
    onChange: () => undefined,
    onCursor: () => undefined,
  });
  const view = handle.view;
  const setText = (text: string): void => {
    view.dispatch({
      changes: { from: 0, to: view.state.doc.length, insert: text },
      selection: EditorSelection.cursor(text.length),
      scrollIntoView: true,
    });
  };
  const walk = (direction: -1 | 1) => (v: EditorView): boolean => {
    const { main } = v.state.selection;
    // Arrows move in the completion popup while it is open.
    if (!main.empty || completionStatus(v.state) !== null) return false;
    const line = v.state.doc.lineAt(main.head).number;
    if (direction === -1 ? line !== 1 : line !== v.state.doc.lines) return false;
    const text = options.onHistory(direction);
    if (text === null) return false;
    setText(text);
    return true;
  };
  view.dispatch({
    effects: StateEffect.appendConfig.of(
      Prec.highest(
        keymap.of([
          {
            key: "Shift-Enter",
            run: () => {
              options.onRun();
              return true;
            },
          },
          { key: "ArrowUp", run: walk(-1) },
          { key: "ArrowDown", run: walk(1) },
        ]),
      ),
    ),
  });
  if (options.assist !== undefined) {
    view.dispatch({ effects: StateEffect.appendConfig.of(kernelAssist(options.assist)) });
  }
  return {
    handle,
    getText: () => view.state.doc.toString(),
    setText,
    focus: () => view.focus(),
    dispose: () => handle.dispose(),
  };
}

/**
 * The code a text editor (a CodeMirror view under `root`) sends to its console: the selection,
 * or else the cursor's line, after which the cursor moves to the next line (as in JupyterLab's
 * "Run Selected Text or Current Line in Console"). Null when `root` holds no editor.
 */
export function takeSelectionOrLine(root: HTMLElement): string | null {
  const dom = root.querySelector<HTMLElement>(".cm-editor");
  const view = dom === null ? null : EditorView.findFromDOM(dom);
  if (view === null) return null;
  const { main } = view.state.selection;
  if (!main.empty) return view.state.sliceDoc(main.from, main.to);
  const line = view.state.doc.lineAt(main.head);
  if (line.number < view.state.doc.lines) {
    const next = view.state.doc.line(line.number + 1);
    view.dispatch({ selection: EditorSelection.cursor(next.from), scrollIntoView: true });
  }
  return line.text;
}
