/**
 * Entry point of carnet's page. For now a placeholder that proves the wiring end to end —
 * base URL, cookie auth, XSRF, the REST API, static assets under a strict CSP; the IDE
 * (Preact + Lumino) replaces the view later, keeping `api/` and `util/`.
 */
import "./style.css";
import { ApiError, type Connection, filesUrl, getStatus, getVersion, listDirectory } from "./api";
import { readBaseUrl } from "./util/base-url";
import { renderError, renderLoggedOut, renderPage } from "./views/placeholder";

async function start(root: HTMLElement): Promise<void> {
  const conn: Connection = { baseUrl: readBaseUrl() };
  try {
    const [version, status, entries] = await Promise.all([
      getVersion(conn),
      getStatus(conn),
      listDirectory(conn),
    ]);
    renderPage(root, {
      version,
      kernels: status.kernels,
      started: status.started,
      logoutHref: `${conn.baseUrl}logout`,
      entries: entries.map((entry) => ({
        name: entry.name,
        isDirectory: entry.type === "directory",
        href: entry.type === "directory" ? null : filesUrl(conn, entry.path),
      })),
    });
  } catch (error: unknown) {
    if (error instanceof ApiError && error.unauthenticated) {
      const next = encodeURIComponent(window.location.pathname);
      renderLoggedOut(root, `${conn.baseUrl}login?next=${next}`);
      return;
    }
    renderError(root, `carnet could not reach its server: ${describe(error)}`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const root = document.getElementById("carnet-root");
if (root !== null) {
  void start(root);
}
