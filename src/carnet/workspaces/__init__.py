"""Per-user UI state the IDE keeps on the server: workspaces (layout, open tabs) and settings.

Both speak JupyterLab's wire formats (``/lab/api/workspaces/{id}``, ``/lab/api/settings/{id}``)
so Lab-style clients can read and write them; both are plain JSON files under the Jupyter data
dir, one folder per user, written atomically.
"""

from carnet.workspaces.settings import SettingsStore
from carnet.workspaces.workspaces import WorkspaceStore

__all__ = ["SettingsStore", "WorkspaceStore"]
