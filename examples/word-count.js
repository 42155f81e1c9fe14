// A carnet plugin in one file, no build step: the number of words in the active editor, in
// the status bar. Install: copy this file to <Jupyter data dir>/carnet/plugins/ (see
// `jupyter --data-dir`) and reload the page.
//
// "preact" and "carnet" are not bundled: the page's import map gives the app's own copies.
import { h } from "preact";
import { isTextSource } from "carnet";

export const apiVersion = 1;

export function countWords(text) {
  const words = text.match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu);
  return words === null ? 0 : words.length;
}

export function activate(app) {
  app.statusItems.add({
    id: "word-count",
    align: "right",
    rank: 40,
    // Runs inside a Preact component: the signals read here (the current tab, its text
    // version) re-render the item when they change.
    render() {
      const widget = app.shell.current.value;
      if (!isTextSource(widget)) return null;
      void widget.textVersion.value; // every edit
      void widget.saveState?.value; // the text loaded (or reloaded from disk)
      const n = countWords(widget.getText());
      return h("span", { class: "wc-WordCount", title: "Words in the active editor" }, `${n} ${n === 1 ? "word" : "words"}`);
    },
  });
}
