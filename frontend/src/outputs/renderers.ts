/**
 * The built-in MIME renderers. None runs code in the app's origin: HTML and Markdown go
 * through the sanitiser, SVG is shown as an image (scripts inside an `<img>` never run).
 * Trusted HTML with scripts and trusted `application/javascript` run in a sandboxed iframe
 * (`frame.ts`); untrusted JavaScript has no renderer (its text/plain fallback shows instead).
 */
import { ansiFragment } from "./ansi";
import { htmlHasScript, outputFrame } from "./frame";
import { renderJson } from "./json";
import { renderMarkdown } from "./markdown";
import { mathElement, mathFragment, splitMath } from "./math";
import type { MimeRenderer, MimeRendererRegistry, RenderContext } from "./registry";
import { sanitizeHtml } from "./sanitize";

/** nbformat allows multiline strings as lists of lines. */
export function textOf(data: unknown): string {
  if (typeof data === "string") return data;
  if (Array.isArray(data)) return data.map((x) => (typeof x === "string" ? x : "")).join("");
  if (data === null || data === undefined) return "";
  return JSON.stringify(data);
}

function box(className: string): HTMLDivElement {
  const node = document.createElement("div");
  node.className = className;
  return node;
}

const plain: MimeRenderer = {
  id: "text/plain",
  rank: 900,
  mimeTypes: ["text/plain"],
  render(data) {
    const pre = document.createElement("pre");
    pre.className = "carnet-Output-text";
    pre.append(ansiFragment(textOf(data)));
    return pre;
  },
};

const html: MimeRenderer = {
  id: "text/html",
  rank: 100,
  mimeTypes: ["text/html"],
  render(data, _mime, context) {
    const text = textOf(data);
    if (context.trusted && htmlHasScript(text)) {
      const node = box("carnet-Output-html carnet-mod-frame");
      node.append(outputFrame(context.conn, "html", text));
      return node;
    }
    const node = box("carnet-Output-html");
    node.append(sanitizeHtml(text, context.trusted));
    return node;
  },
};

const javascript: MimeRenderer = {
  id: "application/javascript",
  rank: 150,
  mimeTypes: ["application/javascript", "text/javascript"],
  trustedOnly: true,
  render(data, _mime, context) {
    const node = box("carnet-Output-javascript");
    node.append(outputFrame(context.conn, "javascript", textOf(data)));
    return node;
  },
};

const markdown: MimeRenderer = {
  id: "text/markdown",
  rank: 200,
  mimeTypes: ["text/markdown"],
  render: (data, _mime, context) => renderMarkdown(textOf(data), context.trusted),
};

const latex: MimeRenderer = {
  id: "text/latex",
  rank: 300,
  mimeTypes: ["text/latex"],
  render(data) {
    const text = textOf(data).trim();
    const node = box("carnet-Output-latex");
    const hasMath = splitMath(text).some((s) => typeof s !== "string");
    node.append(hasMath ? mathFragment(text) : mathElement(text, true));
    return node;
  },
};

function sized(img: HTMLImageElement, metadata: Readonly<Record<string, unknown>>): HTMLImageElement {
  const width = metadata["width"];
  const height = metadata["height"];
  if (typeof width === "number" && width > 0) img.width = width;
  if (typeof height === "number" && height > 0) img.height = height;
  return img;
}

const svg: MimeRenderer = {
  id: "image/svg+xml",
  rank: 400,
  mimeTypes: ["image/svg+xml"],
  render(data, _mime, context) {
    const node = box("carnet-Output-image");
    // As an image from a blob: scripts and external loads inside the SVG never run.
    const img = sized(document.createElement("img"), context.metadata);
    const url = URL.createObjectURL(new Blob([textOf(data)], { type: "image/svg+xml" }));
    img.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
    img.addEventListener("error", () => URL.revokeObjectURL(url), { once: true });
    img.src = url;
    img.alt = "SVG output";
    node.append(img);
    return node;
  },
};

const images: MimeRenderer = {
  id: "image/bitmap",
  rank: 500,
  mimeTypes: ["image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"],
  render(data, mime, context) {
    const node = box("carnet-Output-image");
    const img = sized(document.createElement("img"), context.metadata);
    img.src = `data:${mime};base64,${textOf(data).replace(/\s+/g, "")}`;
    img.alt = `${mime.slice(6).toUpperCase()} output`;
    node.append(img);
    return node;
  },
};

const json: MimeRenderer = {
  id: "application/json",
  rank: 600,
  mimeTypes: ["application/json"],
  render(data, _mime, context: RenderContext) {
    const node = box("carnet-Output-json");
    node.append(renderJson(data, context.metadata["expanded"] === true));
    return node;
  },
};

export function addBuiltinRenderers(registry: MimeRendererRegistry): void {
  for (const renderer of [plain, html, javascript, markdown, latex, svg, images, json]) registry.add(renderer);
}
