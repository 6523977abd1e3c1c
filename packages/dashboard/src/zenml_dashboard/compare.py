"""Two runs of one pipeline side by side: what differs between them, step by step.

For each step (by its name in the pipeline): the parameters whose values
differ, whether it was cached in one run and not the other, the outputs whose
content hash differs, and the values of numeric outputs (``int``/``float``
scalars written by the core's built-in materializer, read through
:meth:`ArtifactView.read` only after a size check, at most :data:`MAX_READS`
per comparison). Plain JSON-ready dicts, like the rest of the API.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zenml.artifact_stores.base import BaseArtifactStore
    from zenml.post_execution.views import ArtifactView, PipelineRunView, StepView

__all__ = ["MAX_READS", "MAX_VALUE_BYTES", "NUMERIC_TYPES", "compare_runs", "not_comparable",
           "numeric_value"]

#: The data types whose values are read and shown (``bool`` is left out on purpose).
NUMERIC_TYPES = {"builtins:int": int, "builtins:float": float}
#: The materializer that writes them (a JSON file holding the number).
_BUILTIN = "zenml.materializers.builtin:BuiltInMaterializer"
_DATA_FILE = "data.json"
#: A number's JSON file is a few bytes; anything larger is not read.
MAX_VALUE_BYTES = 4096
#: How many values one comparison reads at most (two per numeric output).
MAX_READS = 200

_MISSING = object()


def _json_number(value: float | int) -> float | int | str:
    """A value JSON can carry (NaN and infinities as their names)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def numeric_value(artifact: ArtifactView, store: BaseArtifactStore | None
                  ) -> tuple[bool, Any]:
    """``(True, value)`` for a readable int/float output, else ``(False, why-not or None)``.

    Only an artifact whose data type is ``int`` or ``float`` and whose
    materializer is the built-in one is read, and only when its data file is
    at most :data:`MAX_VALUE_BYTES`; the read never imports the user's code.
    """
    data_type = NUMERIC_TYPES.get(artifact.data_type)
    if data_type is None or artifact.materializer != _BUILTIN:
        return False, None
    from zenml.materializers.builtin import BuiltInMaterializer

    if store is None:
        return False, "no artifact store"
    if not store.contains(artifact.uri):  # as the previews: nothing outside the store's root
        return False, "outside the artifact store"
    try:
        size = int(store.filesystem.size(f"{artifact.uri.rstrip('/')}/{_DATA_FILE}"))
    except (OSError, ValueError, TypeError):
        return False, "unreadable"
    if size > MAX_VALUE_BYTES:
        return False, "too large"
    try:
        value = artifact.read(data_type, BuiltInMaterializer)
    except Exception:  # a deleted or damaged artifact: shown as unreadable, never a 500
        return False, "unreadable"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False, "not a number"
    return True, value


class _Budget:
    """What is left of :data:`MAX_READS`, and the artifact store values are read from."""

    def __init__(self, reads: int, store: BaseArtifactStore | None) -> None:
        self.left = reads
        self.store = store

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


def _value(artifact: ArtifactView | None, budget: _Budget) -> dict[str, Any] | None:
    """The shown value of one side's output (None: no number to show)."""
    if artifact is None or artifact.data_type not in NUMERIC_TYPES:
        return None
    if not budget.take():
        return {"value": None, "note": "not read (too many values)"}
    ok, value = numeric_value(artifact, budget.store)
    if ok:
        return {"value": _json_number(value), "note": None}
    return {"value": None, "note": value} if value is not None else None


def _plain(value: Any) -> Any:
    return None if value is _MISSING else value


def _parameters(a: StepView | None, b: StepView | None) -> list[dict[str, Any]]:
    """The parameters whose values differ (a parameter only one side has differs)."""
    pa = a.parameters if a is not None else {}
    pb = b.parameters if b is not None else {}
    rows = []
    for name in sorted({*pa, *pb}):
        va, vb = pa.get(name, _MISSING), pb.get(name, _MISSING)
        if va is _MISSING or vb is _MISSING or va != vb or type(va) is not type(vb):
            rows.append({"name": name, "a": _plain(va), "b": _plain(vb),
                         "in_a": va is not _MISSING, "in_b": vb is not _MISSING})
    return rows


def _outputs(a: StepView | None, b: StepView | None, budget: _Budget) -> list[dict[str, Any]]:
    """Every output: both content hashes (differs or not) and numeric values."""
    oa = a.outputs if a is not None else {}
    ob = b.outputs if b is not None else {}
    rows = []
    for name in sorted({*oa, *ob}):
        xa, xb = oa.get(name), ob.get(name)
        either = xa if xa is not None else xb
        assert either is not None  # the name is an output of a or of b
        ha = xa.content_hash if xa is not None else None
        hb = xb.content_hash if xb is not None else None
        if xa is None or xb is None:
            differs = True
        elif ha is not None and hb is not None:
            differs = ha != hb
        else:  # a store that cannot hash: the same artifact, or not
            differs = xa.id != xb.id
        va, vb = _value(xa, budget), _value(xb, budget)
        delta = None
        if (va is not None and vb is not None and isinstance(va["value"], (int, float))
                and isinstance(vb["value"], (int, float))):
            delta = _json_number(vb["value"] - va["value"])
        rows.append({"name": name, "differs": differs, "hash_a": ha, "hash_b": hb,
                     "type": either.data_type,
                     "numeric": va is not None or vb is not None,
                     "a": va, "b": vb, "delta": delta})
    return rows


def _step_side(step: StepView | None) -> dict[str, Any] | None:
    if step is None:
        return None
    return {"status": step.status.value, "cached": step.is_cached, "duration": step.duration}


def not_comparable(message: str) -> dict[str, Any]:
    """The answer when two runs cannot be compared: why, and nothing that differs."""
    return {"comparable": False, "message": message, "steps": [],
            "differences": {"parameters": 0, "cache": 0, "outputs": 0}}


def compare_runs(a: PipelineRunView, b: PipelineRunView, store: BaseArtifactStore | None,
                 max_reads: int = MAX_READS) -> dict[str, Any]:
    """What differs between runs ``a`` and ``b`` (of one pipeline; otherwise a message).

    ``store`` is the artifact store the runs' views read from (numeric values).
    """
    if a.pipeline_name != b.pipeline_name:
        return not_comparable(f"Run '{a.name}' is of pipeline '{a.pipeline_name}' and run "
                              f"'{b.name}' of pipeline '{b.pipeline_name}': pick two runs of "
                              f"one pipeline to compare")
    # every step's outputs in two queries per run, not two per step
    steps_a = {step.name: step for step in a.prefetch_artifacts()}
    steps_b = {step.name: step for step in b.prefetch_artifacts()}
    order = [*steps_a, *(name for name in steps_b if name not in steps_a)]
    budget = _Budget(max_reads, store)
    steps = []
    counts = {"parameters": 0, "cache": 0, "outputs": 0}
    for name in order:
        sa, sb = steps_a.get(name), steps_b.get(name)
        parameters = _parameters(sa, sb)
        outputs = _outputs(sa, sb, budget)
        cache_differs = (sa is not None and sb is not None and sa.is_cached != sb.is_cached)
        counts["parameters"] += len(parameters)
        counts["cache"] += int(cache_differs)
        counts["outputs"] += sum(1 for row in outputs if row["differs"])
        steps.append({
            "name": name, "a": _step_side(sa), "b": _step_side(sb),
            "only_in": None if sa is not None and sb is not None else ("a" if sa else "b"),
            "cache_differs": cache_differs, "parameters": parameters, "outputs": outputs,
            "differs": bool(parameters or cache_differs or sa is None or sb is None
                            or any(row["differs"] for row in outputs)),
        })
    return {"comparable": True, "message": None, "steps": steps, "differences": counts}
