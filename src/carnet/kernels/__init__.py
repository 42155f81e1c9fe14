"""Kernels: kernelspecs, the kernel service with its warm pool, and client connections.

Domain code, no HTTP. The web layer's routes call :class:`KernelSpecs` and
:class:`KernelService`; its kernel websocket pumps messages between a
:class:`KernelConnection` and the socket, framed with ``carnet.protocol``.
Importing this package is cheap: ``jupyter_client`` and ``zmq`` load on first use.
"""

from carnet.kernels.activity import UNTRACKED_MESSAGE_TYPES, KernelActivity
from carnet.kernels.channels import KernelGone
from carnet.kernels.connection import CloseReason, ConnectionClosed, KernelConnection
from carnet.kernels.lifecycle import describe_exit, should_cull
from carnet.kernels.paths import cwd_for_path
from carnet.kernels.service import KernelModel, KernelService
from carnet.kernels.specs import KernelSpecs, is_poolable

__all__ = [
    "UNTRACKED_MESSAGE_TYPES",
    "CloseReason",
    "ConnectionClosed",
    "KernelActivity",
    "KernelConnection",
    "KernelGone",
    "KernelModel",
    "KernelService",
    "KernelSpecs",
    "cwd_for_path",
    "describe_exit",
    "is_poolable",
    "should_cull",
]
