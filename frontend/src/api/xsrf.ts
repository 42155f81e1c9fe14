/**
 * Cross-site request forgery protection, the Jupyter way: the server sets an `_xsrf` cookie
 * and requires its value in the `X-XSRFToken` header of cookie-authenticated writes. A page of
 * another origin cannot read our cookies, so it cannot forge the header.
 */
export const XSRF_COOKIE = "_xsrf";
export const XSRF_HEADER = "X-XSRFToken";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The raw value of cookie `name` in a `document.cookie`-style string, if set. */
export function readCookie(name: string, cookies: string = document.cookie): string | undefined {
  for (const part of cookies.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) {
      continue;
    }
    if (part.slice(0, eq).trim() === name) {
      return part.slice(eq + 1).trim();
    }
  }
  return undefined;
}

/** Headers a request with `method` needs: the XSRF token on writes when the cookie is set. */
export function xsrfHeaders(method: string, cookies?: string): Record<string, string> {
  if (SAFE_METHODS.has(method.toUpperCase())) {
    return {};
  }
  const token = readCookie(XSRF_COOKIE, cookies);
  return token === undefined || token === "" ? {} : { [XSRF_HEADER]: token };
}
