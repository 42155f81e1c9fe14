/**
 * Trusted outputs with scripts, in a sandboxed iframe. The app page's CSP runs no inline
 * script, so a trusted `text/html` output that carries `<script>` elements or `on*=` handlers,
 * and an `application/javascript` output, are shown in an iframe of `sandbox/output.html`
 * instead: `sandbox` without `allow-same-origin` (the page's own CSP says so too), so its
 * scripts run in an opaque origin with no access to this page, carnet's cookies or its API.
 *
 * After each load of the frame the output's source is posted to it; it inserts it, runs its
 * scripts in order and posts its height back, which sizes the iframe (CSSOM: the CSP forbids
 * style attributes). Messages are checked by `event.source` on both sides. One frame per such
 * output, loaded lazily (`loading="lazy"`) and only for trusted outputs: untrusted ones go
 * through the sanitiser, and outputs without scripts render inline.
 */
import { type Connection, apiUrl } from "../api";
import { stripHandlers } from "./sanitize";

export type FrameKind = "html" | "javascript";

const FRAME_CLASS = "carnet-Output-frame";
const SANDBOX = ["allow-scripts", "allow-popups", "allow-popups-to-escape-sandbox", "allow-downloads"];
const MAX_HEIGHT = 20_000;

/** HTML that would run script if inserted as is: a `<script>` element or an `on*=` handler. */
export function htmlHasScript(html: string): boolean {
  return /<script[\s>/]/i.test(html) || stripHandlers(html) !== html;
}

interface Theme {
  scheme: "light" | "dark";
  color: string;
  font: string;
  size: string;
}

function themeOf(iframe: HTMLIFrameElement): Theme {
  const root = document.documentElement;
  const scheme = getComputedStyle(root).colorScheme.includes("dark") ? "dark" : "light";
  const style = getComputedStyle(iframe.parentElement ?? iframe);
  return { scheme, color: style.color, font: style.fontFamily, size: style.fontSize };
}

function frames(): HTMLIFrameElement[] {
  return [...document.querySelectorAll<HTMLIFrameElement>(`iframe.${FRAME_CLASS}`)];
}

let listening = false;

/** One listener for all frames: heights from the frames' windows, theme changes to them. */
function listen(): void {
  if (listening) return;
  listening = true;
  window.addEventListener("message", (event: MessageEvent<unknown>) => {
    const data = event.data;
    if (typeof data !== "object" || data === null) return;
    const message = data as { carnet?: unknown; height?: unknown };
    if (message.carnet !== "sandbox-height" || typeof message.height !== "number") return;
    const iframe = frames().find((f) => f.contentWindow !== null && f.contentWindow === event.source);
    if (iframe === undefined || !Number.isFinite(message.height)) return;
    iframe.style.height = `${Math.min(MAX_HEIGHT, Math.max(0, Math.ceil(message.height)))}px`;
  });
  new MutationObserver(() => {
    for (const iframe of frames()) {
      iframe.contentWindow?.postMessage({ carnet: "sandbox-theme", theme: themeOf(iframe) }, "*");
    }
  }).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme", "data-carnet-plugin-theme"] });
}

/** An iframe that shows `source` (HTML, or JavaScript to run) with its scripts isolated. */
export function outputFrame(conn: Connection, kind: FrameKind, source: string): HTMLIFrameElement {
  listen();
  const iframe = document.createElement("iframe");
  iframe.className = FRAME_CLASS;
  for (const flag of SANDBOX) iframe.sandbox.add(flag);
  iframe.loading = "lazy";
  iframe.referrerPolicy = "no-referrer";
  iframe.title = kind === "javascript" ? "JavaScript output" : "HTML output";
  // Again after every load: moving the iframe in the DOM (cells moved, outputs reordered)
  // reloads it empty. Its opaque origin is "null", hence the "*" target.
  iframe.addEventListener("load", () => {
    iframe.contentWindow?.postMessage(
      { carnet: "sandbox-render", kind, source, theme: themeOf(iframe) },
      "*",
    );
  });
  iframe.src = apiUrl(conn, "sandbox/output.html");
  return iframe;
}
