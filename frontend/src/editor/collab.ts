/**
 * CodeMirror bound to a shared Y.Text (a room's document, model/room.ts): y-codemirror.next's
 * sync plugin, per-user undo (a Y.UndoManager that tracks only this editor's edits, so remote
 * and server changes are never undone), and remote cursors.
 *
 * y-codemirror.next draws remote cursors with inline `style` attributes, which carnet's CSP
 * forbids (`style-src 'self'`); this module draws them itself with classes from a fixed
 * palette (the colours `GET api/me` hands out), in a theme that goes through the CSP-safe
 * style-mod. The local cursor is published in the awareness field `cursor`
 * (`{anchor, head}` as Yjs relative positions), as y-codemirror.next does, and only while the
 * editor has focus.
 */
import { Prec, StateEffect, type Extension, type Range } from "@codemirror/state";
import {
  Decoration,
  type DecorationSet,
  EditorView,
  type PluginValue,
  ViewPlugin,
  type ViewUpdate,
  WidgetType,
  keymap,
} from "@codemirror/view";
import { yCollab, yUndoManagerKeymap } from "y-codemirror.next";
import type { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";

/** The identity colours (auth/identity.py); others map onto them by hash. */
export const PALETTE: readonly string[] = [
  "#e6194b",
  "#3cb44b",
  "#4363d8",
  "#f58231",
  "#911eb4",
  "#42d4f4",
  "#f032e6",
  "#469990",
  "#9a6324",
  "#800000",
];

export function paletteIndex(color: string): number {
  const exact = PALETTE.indexOf(color.toLowerCase());
  if (exact >= 0) return exact;
  let hash = 0;
  for (const ch of color) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return hash % PALETTE.length;
}

interface RemoteUser {
  readonly name: string;
  readonly color: string;
}

function userOf(state: Record<string, unknown>): RemoteUser {
  const user = state["user"];
  const record = typeof user === "object" && user !== null ? (user as Record<string, unknown>) : {};
  const name = record["display_name"] ?? record["name"];
  const color = record["color"];
  return {
    name: typeof name === "string" && name !== "" ? name : "Anonymous",
    color: typeof color === "string" ? color : PALETTE[0] ?? "#e6194b",
  };
}

class CaretWidget extends WidgetType {
  constructor(
    readonly index: number,
    readonly name: string,
  ) {
    super();
  }

  override eq(other: CaretWidget): boolean {
    return other.index === this.index && other.name === this.name;
  }

  toDOM(): HTMLElement {
    const caret = document.createElement("span");
    caret.className = `cm-carnetCaret cm-carnetColor-${this.index}`;
    caret.setAttribute("aria-hidden", "true");
    const label = document.createElement("span");
    label.className = "cm-carnetCaretName";
    label.textContent = this.name;
    caret.append("\u2060", label, "\u2060");
    return caret;
  }

  override ignoreEvent(): boolean {
    return true;
  }
}

function remoteCursors(ytext: Y.Text, awareness: Awareness): Extension {
  return ViewPlugin.fromClass(
    class implements PluginValue {
      decorations: DecorationSet;
      private readonly onChange: (changes: { added: number[]; updated: number[]; removed: number[] }) => void;

      constructor(readonly view: EditorView) {
        this.decorations = this.build();
        this.onChange = (changes: { added: number[]; updated: number[]; removed: number[] }) => {
          const own = ytext.doc?.clientID;
          const ids = [...changes.added, ...changes.updated, ...changes.removed];
          if (ids.every((id) => id === own)) return; // our own cursor: nothing to redraw
          this.decorations = this.build();
          // An empty transaction makes the view pick up the new decorations.
          queueMicrotask(() => {
            if (this.view.dom.isConnected) this.view.dispatch({});
          });
        };
        awareness.on("change", this.onChange);
      }

      update(update: ViewUpdate): void {
        this.publish(update);
        if (update.docChanged) this.decorations = this.build();
      }

      destroy(): void {
        awareness.off("change", this.onChange);
        if (awareness.getLocalState()?.["cursor"] != null) awareness.setLocalStateField("cursor", null);
      }

      private publish(update: ViewUpdate): void {
        const focused = update.view.hasFocus;
        const local = awareness.getLocalState();
        if (local === null) return;
        if (!focused) {
          if (update.focusChanged && local["cursor"] != null) awareness.setLocalStateField("cursor", null);
          return;
        }
        if (!update.selectionSet && !update.docChanged && !update.focusChanged) return;
        const sel = update.state.selection.main;
        const anchor = Y.createRelativePositionFromTypeIndex(ytext, sel.anchor);
        const head = Y.createRelativePositionFromTypeIndex(ytext, sel.head);
        const current = local["cursor"] as { anchor?: unknown; head?: unknown } | null | undefined;
        if (
          current?.anchor != null &&
          current.head != null &&
          Y.compareRelativePositions(Y.createRelativePositionFromJSON(current.anchor), anchor) &&
          Y.compareRelativePositions(Y.createRelativePositionFromJSON(current.head), head)
        ) {
          return;
        }
        awareness.setLocalStateField("cursor", {
          anchor: Y.relativePositionToJSON(anchor),
          head: Y.relativePositionToJSON(head),
        });
      }

      private build(): DecorationSet {
        const doc = ytext.doc;
        if (doc === null) return Decoration.none;
        const length = this.view.state.doc.length;
        const ranges: Range<Decoration>[] = [];
        awareness.getStates().forEach((state, clientId) => {
          if (clientId === doc.clientID) return;
          const cursor = state["cursor"] as { anchor?: unknown; head?: unknown } | null | undefined;
          if (cursor?.anchor == null || cursor.head == null) return;
          const anchor = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(cursor.anchor), doc);
          const head = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(cursor.head), doc);
          if (anchor === null || head === null || anchor.type !== ytext || head.type !== ytext) return;
          const user = userOf(state);
          const index = paletteIndex(user.color);
          const from = Math.min(anchor.index, head.index, length);
          const to = Math.min(Math.max(anchor.index, head.index), length);
          if (from < to) {
            ranges.push(Decoration.mark({ class: `cm-carnetSelection cm-carnetColor-${index}` }).range(from, to));
          }
          const at = Math.min(head.index, length);
          ranges.push(Decoration.widget({ widget: new CaretWidget(index, user.name), side: 1 }).range(at));
        });
        return Decoration.set(ranges, true);
      }
    },
    { decorations: (plugin) => plugin.decorations },
  );
}

function paletteTheme(): Extension {
  const spec: Record<string, Record<string, string>> = {
    ".cm-carnetCaret": {
      position: "relative",
      borderLeft: "2px solid",
      marginLeft: "-1px",
      marginRight: "-1px",
    },
    ".cm-carnetCaretName": {
      position: "absolute",
      top: "-1.3em",
      left: "-2px",
      fontSize: "0.75em",
      padding: "0 3px",
      color: "white",
      whiteSpace: "nowrap",
      opacity: "0",
      transition: "opacity 0.2s",
      pointerEvents: "none",
    },
    ".cm-carnetCaret:hover .cm-carnetCaretName, .cm-content:focus-within .cm-carnetCaret .cm-carnetCaretName": {
      opacity: "0.9",
    },
  };
  PALETTE.forEach((color, index) => {
    spec[`.cm-carnetCaret.cm-carnetColor-${index}`] = { borderLeftColor: color };
    spec[`.cm-carnetColor-${index} .cm-carnetCaretName`] = { backgroundColor: color };
    spec[`.cm-carnetSelection.cm-carnetColor-${index}`] = { backgroundColor: `${color}40` };
  });
  return EditorView.baseTheme(spec);
}

export interface Collab {
  readonly extension: Extension;
  readonly undoManager: Y.UndoManager;
}

/** The extensions that bind an editor to `ytext`; `undoManager` undoes only this editor's edits. */
export function collab(ytext: Y.Text, awareness: Awareness): Collab {
  const undoManager = new Y.UndoManager(ytext, { trackedOrigins: new Set() });
  const extension = [
    yCollab(ytext, null, { undoManager }),
    // Above CodeMirror's own history keys: undo is the shared document's, per user.
    Prec.high(keymap.of(yUndoManagerKeymap)),
    remoteCursors(ytext, awareness),
    paletteTheme(),
  ];
  return { extension, undoManager };
}

/** Adds `extension` to a running editor (the editor module builds its own base config). */
export function attach(view: EditorView, extension: Extension): void {
  view.dispatch({ effects: StateEffect.appendConfig.of(extension) });
}
