/**
 * Output rendering, shared by the notebook editor and the code console: `OutputArea` shows a
 * list of nbformat outputs; `outputRenderers` is the ranked MIME renderer registry plugins
 * extend. This layer imports no views.
 */
import { OutputArea as Area, type OutputAreaOptions } from "./area";
import { outputRenderers } from "./registry";
import { addBuiltinRenderers } from "./renderers";

export type { OutputJSON, OutputAreaOptions, Truncation } from "./area";
export { equalJson, truncationOf } from "./area";
export { applyTerminalControls, ansiFragment, stripAnsi } from "./ansi";
export { MimeRendererRegistry, type MimeRenderer, type RenderContext, outputRenderers } from "./registry";
export { sanitizeHtml } from "./sanitize";
export { textOf } from "./renderers";

addBuiltinRenderers(outputRenderers);

/** The outputs of a cell or an execution, rendered with `outputRenderers`. */
export class OutputArea extends Area {
  constructor(options: OutputAreaOptions) {
    super(options, outputRenderers);
  }
}
