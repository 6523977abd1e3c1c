"""pluggy's marker for zenml's hook implementations (see :mod:`zenml.plugins`)."""

from __future__ import annotations

import pluggy

__all__ = ["hookimpl"]

#: Marks a plugin module's function as an implementation of one of zenml's hooks.
hookimpl = pluggy.HookimplMarker("zenml")
