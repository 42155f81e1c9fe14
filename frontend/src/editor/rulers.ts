/**
 * Rulers: vertical lines at given columns, drawn as a CodeMirror layer (the markers are
 * positioned through CSSOM, never a style attribute, which the page's CSP forbids).
 */
import type { Extension } from "@codemirror/state";
import { RectangleMarker, layer } from "@codemirror/view";

/** Vertical lines at `columns` (in characters). */
export function rulers(columns: readonly number[]): Extension {
  const valid = columns.filter((c) => Number.isInteger(c) && c > 0 && c < 1000);
  if (valid.length === 0) return [];
  return [
    layer({
      above: false,
      class: "carnet-Rulers",
      update: (update) => update.geometryChanged || update.viewportChanged,
      markers(view) {
        const scroller = view.scrollDOM.getBoundingClientRect();
        const base = scroller.left - view.scrollDOM.scrollLeft;
        const line = view.contentDOM.querySelector(".cm-line");
        const padding = line === null ? 0 : Number.parseFloat(getComputedStyle(line).paddingLeft) || 0;
        const left = view.contentDOM.getBoundingClientRect().left - base + padding;
        const height = Math.max(view.contentHeight, view.scrollDOM.clientHeight);
        return valid.map(
          (c) => new RectangleMarker(`carnet-Ruler carnet-Ruler-${c}`, left + c * view.defaultCharacterWidth, 0, null, height),
        );
      },
    }),
  ];
}
