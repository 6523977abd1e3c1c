"""Log lines as the original framework showed them: a step's (and a script's)
``logging.info(...)`` on stderr, libraries' info lines hidden, an application's own
logging set-up left alone."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

from zenml.logger import UserCodeFilter

SCRIPT = textwrap.dedent("""
    import logging
    {setup}
    from zenml.logger import get_logger
    from zenml.pipelines import pipeline
    from zenml.steps import step

    @step
    def talker() -> int:
        logging.info("a step's own info line")
        get_logger(__name__).info("a step's zenml logger line")
        logging.debug("a debug line")
        return 1

    @pipeline
    def chatty(talker):
        talker()

    chatty(talker=talker()).run()
""")


def _run(tmp_path: Path, setup: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "run.py"
    script.write_text(SCRIPT.format(setup=setup))
    environment = {**os.environ, "ZENML_CONFIG_PATH": str(tmp_path / "config")}
    environment.pop("ZENML_LOGGING_VERBOSITY", None)
    environment.update(env)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, env=environment)
    assert done.returncode == 0, done.stderr
    return done


def test_a_steps_info_lines_show_as_in_the_original_framework(tmp_path: Path) -> None:
    lines = _run(tmp_path).stderr.splitlines()
    assert "a step's own info line" in lines
    assert "a step's zenml logger line" in lines
    assert "a debug line" not in lines
    assert lines.index("a step's own info line") > lines.index("Step `talker` has started.")


def test_verbosity_and_an_applications_own_setup_are_honoured(tmp_path: Path) -> None:
    quiet = _run(tmp_path, ZENML_LOGGING_VERBOSITY="WARNING").stderr
    assert "a step's own info line" not in quiet and "has started" not in quiet
    own = _run(tmp_path, setup="logging.basicConfig(level=logging.WARNING)")
    assert "a step's own info line" not in own.stderr


def test_libraries_info_lines_stay_hidden_and_their_warnings_show() -> None:
    library = os.path.join(sysconfig.get_paths()["purelib"], "somelib", "module.py")
    user = os.path.join(os.getcwd(), "run.py")
    check = UserCodeFilter()

    def record(path: str, level: int) -> logging.LogRecord:
        return logging.LogRecord("somelib", level, path, 1, "message", None, None)

    assert not check.filter(record(library, logging.INFO))
    assert check.filter(record(library, logging.WARNING))
    assert check.filter(record(user, logging.INFO))
