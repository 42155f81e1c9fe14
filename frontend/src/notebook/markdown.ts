/**
 * Markdown cells: rendered like Markdown files (views/viewers/markdown.ts: marked + DOMPurify,
 * KaTeX math, highlighted code, heading anchors, relative links and images resolved against
 * the notebook's folder), with `attachment:NAME` images taken from the cell's attachments.
 */
import type { RendererContext } from "../views/viewers/text-viewer";
import { renderMarkdown } from "../views/viewers/markdown";

export function renderCellMarkdown(
  text: string,
  context: RendererContext,
  attachments: Readonly<Record<string, unknown>> = {},
): DocumentFragment {
  return renderMarkdown(text, { ...context, attachments: () => attachments });
}
