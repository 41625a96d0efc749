"""Theory core: pure functions over numpy note arrays (numpy, numba and scipy only).

Submodules are imported on first attribute access, so ``import harmonia.theory`` stays fast.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

__all__ = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def __getattr__(name: str) -> Any:
    if name in __all__:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
