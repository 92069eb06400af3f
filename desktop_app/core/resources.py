"""Access to the files in resources/, the same way from a checkout, a wheel or a bundle."""

from importlib.resources import files
from importlib.resources.abc import Traversable


def resource(name: str) -> Traversable:
    """Return the resource called `name` (a path relative to resources/)."""
    node: Traversable = files("desktop_app.resources")
    for part in name.split("/"):
        node = node / part
    return node


def resource_text(name: str) -> str:
    return resource(name).read_text(encoding="utf-8")


def resource_bytes(name: str) -> bytes:
    return resource(name).read_bytes()
