"""carnet: a light, fast and safe notebook server and web IDE, compatible with Jupyter."""

__version__ = "0.1.0"

__all__ = ["__version__"]
