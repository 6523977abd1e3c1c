"""One rule for every name a user gives zenml: a name is data, never a path.

Stacks, components, pipelines, runs, steps and step outputs share the rule
below, checked once where the name is given (CLI, ``Repository``, decorators,
``run()``, run configuration files, ``stack import``):

- a string (``123`` or ``[1, 2]`` in a YAML file is refused: quote it);
- 1 to :data:`MAX_NAME_LENGTH` characters;
- printable (no control characters, unpaired surrogates, format or
  unassigned code points: :meth:`str.isprintable`), ASCII space allowed inside;
- no leading or trailing whitespace;
- no path separators ``/`` or ``\\``, not ``.``, and no ``..`` anywhere
  (``v1.2`` and ``.hidden`` are fine, ``v1..2`` is not).

Step output names must also be Python identifiers (:func:`validate_identifier`):
they are used as keys in code (``with_return_materializers({"train": ...})``,
``step.outputs["train"]``) and as parameter names by remote orchestrators.
"""

from __future__ import annotations

from zenml.errors import ConfigError, ZenMLError

__all__ = ["MAX_NAME_LENGTH", "NAME_RULE", "name_problem", "shown", "validate_identifier",
           "validate_name"]

MAX_NAME_LENGTH = 128
NAME_RULE = (f"a name is 1 to {MAX_NAME_LENGTH} printable characters, without '/', '\\', "
             f"'..' or leading/trailing spaces")
_SHOWN_CHARS = 40


def shown(value: object) -> str:
    """``value`` for a one-line message: quoted, escaped, and cut after 40 characters."""
    if isinstance(value, str):
        text = repr(value[:_SHOWN_CHARS]) + ("…" if len(value) > _SHOWN_CHARS else "")
    else:
        try:
            text = repr(value)
        except Exception:  # a repr that raises must not hide the real error
            text = f"<{type(value).__name__}>"
        # repr() of an arbitrary object may hold newlines or escapes of its own
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
        if len(text) > _SHOWN_CHARS + 2:
            text = text[:_SHOWN_CHARS + 2] + "…"
    return text


def name_problem(name: object) -> str | None:
    """What is wrong with ``name`` (one short clause), or None when it is a valid name."""
    if not isinstance(name, str):
        return f"it is of type {type(name).__name__}, not a string (quote it)"
    if not name:
        return "it is empty"
    if len(name) > MAX_NAME_LENGTH:
        return f"it is {len(name)} characters long"
    if name != name.strip():
        return "it has leading or trailing whitespace"
    if not name.isprintable():
        bad = next(c for c in name if not c.isprintable())
        return f"it contains the non-printable character {bad!r}"
    for separator in ("/", "\\"):
        if separator in name:
            return f"it contains the path separator '{separator}'"
    if name == ".":
        return "it is '.'"
    if ".." in name:
        return "it contains '..'"
    return None


def validate_name(kind: str, name: object, error: type[ZenMLError] = ConfigError) -> str:
    """Return ``name`` when it follows the rule; raise ``error`` with one line otherwise.

    ``kind`` names what is named (``stack``, ``artifact store``, ``run``, ...).
    """
    problem = name_problem(name)
    if problem is not None:
        raise error(f"Invalid {kind} name {shown(name)}: {problem}; {NAME_RULE}")
    assert isinstance(name, str)
    return name


def validate_identifier(kind: str, name: object, error: type[ZenMLError] = ConfigError) -> str:
    """Like :func:`validate_name`, and ``name`` must be a Python identifier."""
    checked = validate_name(kind, name, error)
    if not checked.isidentifier():
        raise error(f"Invalid {kind} name {shown(checked)}: it is not a Python identifier; "
                    f"use letters, digits and '_', not starting with a digit")
    return checked
