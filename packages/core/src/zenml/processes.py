"""Is a process on this machine still alive? (pids, zombies, reused pids, groups)

Standard library only: the run views and local model servers both ask.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

__all__ = ["CHILDREN", "process_alive", "process_group_alive", "process_start_time", "reap"]

# Processes this interpreter started: kept so that they are reaped (no zombies).
CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def _proc_stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (None if unknown)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rfind(")") + 2:].split()


def reap(pid: int) -> None:
    child = CHILDREN.get(pid)
    if child is not None:
        if child.poll() is not None:
            del CHILDREN[pid]
        return
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def process_start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), else None."""
    fields = _proc_stat(pid)
    return fields[19] if fields and len(fields) > 19 else None


def process_alive(pid: int | None, start_time: str | None = None) -> bool:
    """Whether ``pid`` is a live (not zombie) process, started at ``start_time`` if given."""
    if not pid:
        return False
    reap(pid)
    fields = _proc_stat(pid)
    if fields is not None:
        if fields[0] in ("Z", "X"):
            return False
        return start_time is None or fields[19] == start_time
    if Path("/proc/self/stat").exists():  # Linux, and the process is gone
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_group_alive(pgid: int) -> bool:
    """Whether any live (not zombie) process is left in process group ``pgid``."""
    reap(pgid)
    if Path("/proc/self/stat").exists():
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            fields = _proc_stat(int(entry.name))
            if fields and len(fields) > 2 and fields[2] == str(pgid) and fields[0] not in "ZX":
                return True
        return False
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
