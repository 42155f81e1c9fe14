"""Sessions: path <-> kernel. :class:`SessionManager` answers ``/api/sessions``.

Domain code, no HTTP; built on :class:`carnet.kernels.KernelService`.
"""

from carnet.sessions.manager import SessionManager, SessionModel

__all__ = ["SessionManager", "SessionModel"]
