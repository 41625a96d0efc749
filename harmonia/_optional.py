"""Import optional dependencies with a message that says how to install them."""

from __future__ import annotations

import importlib
from types import ModuleType

from harmonia.errors import MissingDependencyError

__all__ = ["import_optional"]


def import_optional(name: str, *, extra: str, feature: str | None = None) -> ModuleType:
    """Import module ``name`` or raise :class:`~harmonia.errors.MissingDependencyError`.

    Parameters
    ----------
    name : str
        Module to import, such as ``"matplotlib.pyplot"``.
    extra : str
        The harmonia extra that installs it (``"plot"``, ``"audio"``, ``"neural"`` ...).
    feature : str, optional
        What needs it, for the message (defaults to the module name).

    Returns
    -------
    module
        The imported module.

    Raises
    ------
    MissingDependencyError
        When the module (or a package it needs) cannot be imported.

    Examples
    --------
    >>> import_optional("json", extra="core").__name__
    'json'
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:  # also catches sys.modules[name] = None
        what = feature or name
        raise MissingDependencyError(
            f"{what} needs {name.split('.')[0]}, which is not installed: "
            f'pip install "harmonia[{extra}]"'
        ) from exc
