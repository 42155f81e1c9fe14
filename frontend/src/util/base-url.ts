/**
 * Where the server lives: its base URL (Jupyter's `base_url`), always "/"-terminated.
 *
 * The page route fills `<meta name="carnet-base-url" content="...">` in when it serves
 * index.html. When the placeholder is still there (the page came from `vite dev`, or was
 * served as a plain file) the UI assumes the server is mounted at "/".
 */
export const BASE_URL_META = "carnet-base-url";

export function readBaseUrl(doc: Document = document): string {
  const meta = doc.querySelector<HTMLMetaElement>(`meta[name="${BASE_URL_META}"]`);
  return normalizeBaseUrl(meta?.content ?? "");
}

/**
 * Accepts only a same-origin absolute path ("/", "/user/ada/"); anything else — an unfilled
 * template, a scheme, a protocol-relative "//host" — falls back to "/" rather than sending
 * credentials elsewhere.
 */
export function normalizeBaseUrl(value: string): string {
  const v = value.trim();
  if (!v.startsWith("/") || v.startsWith("//") || v.includes("{{") || v.includes("\\")) {
    return "/";
  }
  return v.endsWith("/") ? v : `${v}/`;
}
