/**
 * The default keymap, as data. Selectors scope a binding: "body" everywhere, the file browser
 * list only when it has focus, the editor only inside CodeMirror. Users change these in the
 * shortcut editor; their overrides live in settings (model/keymap.ts merges them).
 */
import type { KeyBinding } from "../model/keymap";
import { CommandIds as C } from "./ids";

export const FILE_LIST_SELECTOR = ".carnet-FileList";
export const EDITOR_SELECTOR = ".carnet-Editor";

export const DEFAULT_KEYMAP: readonly KeyBinding[] = [
  { command: C.palette, keys: ["Accel Shift C"], selector: "body" },
  { command: C.toggleLeft, keys: ["Accel B"], selector: "body" },
  { command: C.showFileBrowser, keys: ["Accel Shift F"], selector: "body" },
  { command: C.save, keys: ["Accel S"], selector: "body" },
  { command: C.saveAll, keys: ["Accel Shift S"], selector: "body" },
  { command: C.closeTab, keys: ["Alt W"], selector: "body" },
  { command: C.nextTab, keys: ["Ctrl Shift ]"], selector: "body" },
  { command: C.prevTab, keys: ["Ctrl Shift ["], selector: "body" },
  { command: C.openSettings, keys: ["Accel ,"], selector: "body" },
  { command: C.newFile, keys: ["Alt N"], selector: "body" },
  { command: C.rename, keys: ["F2"], selector: FILE_LIST_SELECTOR },
  { command: C.del, keys: ["Delete"], selector: FILE_LIST_SELECTOR },
  { command: C.cut, keys: ["Accel X"], selector: FILE_LIST_SELECTOR },
  { command: C.copy, keys: ["Accel C"], selector: FILE_LIST_SELECTOR },
  { command: C.paste, keys: ["Accel V"], selector: FILE_LIST_SELECTOR },
  { command: C.duplicate, keys: ["Accel D"], selector: FILE_LIST_SELECTOR },
  { command: C.selectAll, keys: ["Accel A"], selector: FILE_LIST_SELECTOR },
  { command: C.goUp, keys: ["Backspace"], selector: FILE_LIST_SELECTOR },
  { command: C.goToLine, keys: ["Accel L"], selector: EDITOR_SELECTOR },
  { command: C.markdownPreview, keys: ["Accel Shift M"], selector: EDITOR_SELECTOR },
];
