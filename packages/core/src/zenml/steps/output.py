"""``Output``: the return annotation of a step with several named outputs."""

from __future__ import annotations

from collections.abc import ItemsView, Iterator
from typing import Any

from zenml.errors import StepInterfaceError
from zenml.utils.names import validate_identifier

__all__ = ["Output"]


class Output:
    """Names and types of a step's outputs: ``-> Output(train=pd.DataFrame, test=...)``.

    The step returns a tuple in the same order. Each name follows the name
    rule of :mod:`zenml.utils.names` and is a Python identifier.
    """

    def __init__(self, **outputs: Any) -> None:
        if not outputs:
            raise ValueError("Output(...) needs at least one name=type pair")
        for name in outputs:  # names are data (keys, columns), never paths
            validate_identifier("output", name, StepInterfaceError)
        self.outputs: dict[str, Any] = dict(outputs)

    def items(self) -> ItemsView[str, Any]:
        """The ``(name, type)`` pairs, in order."""
        return self.outputs.items()

    def __iter__(self) -> Iterator[str]:
        return iter(self.outputs)

    def __len__(self) -> int:
        return len(self.outputs)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={getattr(v, '__name__', v)}" for k, v in self.outputs.items())
        return f"Output({inner})"

    def __call__(self) -> None:  # pragma: no cover - lets typing accept it as a hint
        raise TypeError("Output is a return annotation, not a value")
