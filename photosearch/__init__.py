"""PhotoSearch: find photos on your own disk by what they show, from a query in any language."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from photosearch.version import __version__

if TYPE_CHECKING:
    from photosearch.core.library import Library
    from photosearch.model.encoder import Encoder


def load_model(weights: Any = None, device: str | None = None) -> Encoder:
    """Load the image-text model (bundled weights by default); see photosearch.model.load_model."""
    # Imported here so that `import photosearch` (and the GUI's first paint) does not wait for torch.
    from photosearch.model.encoder import load_model as _load_model

    return _load_model(weights, device)


def __getattr__(name: str) -> Any:
    if name == "Library":
        from photosearch.core.library import Library

        return Library
    raise AttributeError(f"module 'photosearch' has no attribute {name!r}")


__all__ = ["Library", "__version__", "load_model"]
