"""Remote kernels: a Jupyter Kernel Gateway or Enterprise Gateway runs the kernels
(``--gateway-url``), behind the same interface as the local kernel service, so the REST
routes, the kernel websocket, sessions and execution into documents work unchanged."""

from carnet.gateway.client import GatewayClient, GatewaySettings
from carnet.gateway.kernels import GatewayConnection, GatewayKernels
from carnet.gateway.specs import GatewaySpecs

__all__ = [
    "GatewayClient",
    "GatewayConnection",
    "GatewayKernels",
    "GatewaySettings",
    "GatewaySpecs",
]
