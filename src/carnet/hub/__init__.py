"""carnet as a JupyterHub single-user server: the spawner's environment, token checks and
OAuth against the hub's API, and activity reports for the hub's idle culler.

Knows nothing of the web framework: the web layer's security middleware asks
:class:`HubAuth` who a token belongs to and whether they may enter.
"""

from carnet.hub.activity import ActivityReporter
from carnet.hub.auth import HubAuth, HubUser, LoginStart, OAuthError, has_access, scope_grants
from carnet.hub.client import HubClient, HubResponse, HubUnavailable, client_ssl_context
from carnet.hub.environment import HubConfigError, HubEnvironment, read_environment

__all__ = [
    "ActivityReporter",
    "HubAuth",
    "HubClient",
    "HubConfigError",
    "HubEnvironment",
    "HubResponse",
    "HubUnavailable",
    "HubUser",
    "LoginStart",
    "OAuthError",
    "client_ssl_context",
    "has_access",
    "read_environment",
    "scope_grants",
]
