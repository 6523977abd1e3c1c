"""The scripts each tool runs as a whole process, written as a user would write them.

Every script takes ``check`` as its first argument to print its result (the
warm-up run checks it, so a script that does nothing cannot pass for fast).
"""

from __future__ import annotations

from pathlib import Path


def _names(length: int) -> list[str]:
    return [f"s{index:02d}" for index in range(length)]


def zenml_chain(length: int) -> str:
    """``length`` chained trivial ``int`` steps (distinct step names), run with cache off."""
    names = _names(length)
    body = [f"    value = {names[0]}()"] + [f"    value = {n}(value)" for n in names[1:]]
    arguments = ", ".join(f"{n}={'first' if i == 0 else 'add_one'}()"
                          for i, n in enumerate(names))
    return f'''"""{length} chained int steps on the active stack, cache off."""
import sys

from zenml.pipelines import pipeline
from zenml.steps import step


@step
def first() -> int:
    return 0


@step
def add_one(value: int) -> int:
    return value + 1


@pipeline
def chain_{length}({", ".join(names)}):
{chr(10).join(body)}


if __name__ == "__main__":
    run = chain_{length}({arguments}).run(enable_cache=False)
    if sys.argv[1:] == ["check"]:
        print("result", run.get_step("{names[-1]}").output.read())
'''


def kedro_chain(length: int) -> str:
    """``length`` chained trivial int nodes, SequentialRunner, in-memory datasets."""
    return f'''"""{length} chained int nodes, SequentialRunner, MemoryDataset (nothing kept)."""
import sys

from kedro.io import DataCatalog
from kedro.pipeline import Pipeline, node
from kedro.runner import SequentialRunner


def first():
    return 0


def add_one(value):
    return value + 1


if __name__ == "__main__":
    nodes = [node(first, inputs=None, outputs="d00", name="s00")]
    for index in range(1, {length}):
        nodes.append(node(add_one, inputs=f"d{{index - 1:02d}}", outputs=f"d{{index:02d}}",
                          name=f"s{{index:02d}}"))
    outputs = SequentialRunner().run(Pipeline(nodes), DataCatalog())
    if sys.argv[1:] == ["check"]:
        print("result", outputs["d{length - 1:02d}"].load())
'''


def zenml_handoff(elements: int) -> str:
    """A float64 array of ``elements`` handed from one step to the next, cache off."""
    return f'''"""A float64 array of {elements:,} elements from one step to the next, cache off."""
import sys

import numpy as np

from zenml.pipelines import pipeline
from zenml.steps import step


@step
def produce() -> np.ndarray:
    return np.arange({elements}, dtype=np.float64)


@step
def consume(array: np.ndarray) -> float:
    return float(array[-1])


@pipeline
def handoff_{elements}(produce, consume):
    consume(produce())


if __name__ == "__main__":
    run = handoff_{elements}(produce=produce(), consume=consume()).run(enable_cache=False)
    if sys.argv[1:] == ["check"]:
        print("result", run.get_step("consume").output.read())
'''


def numpy_handoff(elements: int, path: Path) -> str:
    """The baseline: the same array through plain ``np.save`` + ``np.load`` in one process."""
    return f'''"""{elements:,} float64s through np.save + np.load (the baseline)."""
import sys

import numpy as np

if __name__ == "__main__":
    array = np.arange({elements}, dtype=np.float64)
    with open({str(path)!r}, "wb") as file:
        np.save(file, array)
    del array
    with open({str(path)!r}, "rb") as file:
        loaded = np.load(file)
    result = float(loaded[-1])
    if sys.argv[1:] == ["check"]:
        print("result", result)
'''


def zenml_parallel(steps: int, iterations: int) -> str:
    """``steps`` independent CPU-bound steps (a busy loop of fixed work); the run's mode is
    the first argument (off | processes | threads); ``check`` prints the records."""
    names = [f"busy_{index}" for index in range(steps)]
    return f'''"""{steps} independent CPU-bound steps, cache off; argv[1]: off|processes|threads."""
import json
import sys

from zenml.pipelines import pipeline
from zenml.steps import step


@step
def busy() -> int:
    total = 0
    for index in range({iterations}):
        total += index & 7
    return total


@pipeline
def parallel_{steps}({", ".join(names)}):
{chr(10).join(f"    {n}()" for n in names)}


if __name__ == "__main__":
    mode = sys.argv[1]
    options = {{}} if mode == "off" else {{"parallel": mode}}
    instance = parallel_{steps}({", ".join(f"{n}=busy()" for n in names)})
    try:
        run = instance.run(enable_cache=False, **options)
    except TypeError as error:
        if "parallel" not in str(error):
            raise
        print(f"parallel runs are not available: {{error}}", file=sys.stderr)
        sys.exit(3)
    if sys.argv[2:] == ["check"]:
        steps = sorted(run.steps, key=lambda view: view.name)
        records = {{"status": str(run.status), "steps": [
            [view.name, view.entrypoint_name, str(view.status), view.is_cached,
             sorted(view.inputs), {{k: a.read() for k, a in view.outputs.items()}}]
            for view in steps]}}
        print("records", json.dumps(records, sort_keys=True))
'''


def post_execution(pipeline_name: str) -> str:
    """Time, in process, the newest run of a pipeline and its steps: the first call (imports,
    connection) and the median of 5 more (the queries)."""
    return f'''"""The post-execution API on the newest run of {pipeline_name!r}, timed."""
import json
import statistics
import time

from zenml.repository import Repository


def newest():
    run = Repository().get_pipeline({pipeline_name!r}).runs[-1]
    return run, [(view.name, str(view.status), sorted(view.outputs)) for view in run.steps]


times = []
for _ in range(6):
    start = time.perf_counter()
    run, steps = newest()
    times.append(time.perf_counter() - start)
print("timing", json.dumps({{"run": run.name, "steps": len(steps), "cold": times[0],
                            "warm": statistics.median(times[1:])}}))
'''


def s3fs_handoff(elements: int, path: str) -> str:
    """The S3 baseline: the array's bytes through plain s3fs ``pipe`` + ``cat`` (put + get);
    the endpoint comes from ``BENCH_S3_URL``, the credentials from the AWS variables."""
    return f'''"""{elements:,} float64s through s3fs pipe + cat (the baseline)."""
import os
import sys

import numpy as np
import s3fs

if __name__ == "__main__":
    fs = s3fs.S3FileSystem(client_kwargs={{"endpoint_url": os.environ["BENCH_S3_URL"]}})
    array = np.arange({elements}, dtype=np.float64)
    fs.pipe({path!r}, array.tobytes())  # botocore takes bytes, not a buffer
    del array
    loaded = np.frombuffer(fs.cat({path!r}), dtype=np.float64)
    result = float(loaded[-1])
    if sys.argv[1:] == ["check"]:
        print("result", result)
'''


_FLOOR_PRINT = '''
import gc

import click  # the command line's parser, as zenml's CLI imports it


def print_table(columns, rows, caption=None):
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(caption=Text(caption) if caption else None)
    for column in columns:
        table.add_column(Text(column))
    for row in rows:
        table.add_row(*(Text("" if value is None else str(value)) for value in row))
    Console(width=200).print(table)
'''


def floor_stack_list(stack_store: Path) -> str:
    """``zenml stack list``'s job done directly with its libraries: the stacks and their
    components read from the stack store with SQLAlchemy Core, printed as a rich table
    (click imported too, as a command line needs it)."""
    return f'''"""The stacks and components of a zenml stack store, as plain SQLAlchemy + rich."""
import sqlalchemy as sa
{_FLOOR_PRINT}

metadata = sa.MetaData()
stacks = sa.Table("stacks", metadata, sa.Column("id", sa.String(36), primary_key=True),
                  sa.Column("name", sa.String(255)))
links = sa.Table("stack_components", metadata, sa.Column("stack_id", sa.String(36)),
                 sa.Column("type", sa.String(64)), sa.Column("component_id", sa.String(36)))
components = sa.Table("components", metadata,
                      sa.Column("id", sa.String(36), primary_key=True),
                      sa.Column("name", sa.String(255)))
engine = sa.create_engine("sqlite:///{stack_store}")
with engine.connect() as connection:
    rows = connection.execute(
        sa.select(stacks.c.name, links.c.type, components.c.name)
        .join(links, links.c.stack_id == stacks.c.id)
        .join(components, components.c.id == links.c.component_id)).all()
print_table(["STACK", "TYPE", "COMPONENT"], rows)
engine.dispose()
gc.freeze()  # as zenml's CLI ends: no last garbage collection of the libraries' objects
'''


def floor_runs_list(stack_store: Path, metadata_db: Path) -> str:
    """``zenml pipeline runs list``'s job done directly with its libraries: the metadata
    store's config read from the stack store and validated by a pydantic model, then the
    run count and the newest 20 runs read with SQLAlchemy Core, printed as a rich table."""
    return f'''"""The newest 20 runs of a zenml sqlite metadata store, as plain pydantic +
SQLAlchemy + rich."""
import json

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
{_FLOOR_PRINT}

class StoreConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)
    uri: str


metadata = sa.MetaData()
components = sa.Table("components", metadata,
                      sa.Column("id", sa.String(36), primary_key=True),
                      sa.Column("config", sa.Text))
links = sa.Table("stack_components", metadata, sa.Column("stack_id", sa.String(36)),
                 sa.Column("type", sa.String(64)), sa.Column("component_id", sa.String(36)))
stack_engine = sa.create_engine("sqlite:///{stack_store}")
with stack_engine.connect() as connection:
    stored = connection.execute(
        sa.select(components.c.config).join(links, links.c.component_id == components.c.id)
        .where(links.c.type == "metadata_store")).scalar()
config = StoreConfig.model_validate({{"uri": {str(metadata_db)!r}, **json.loads(stored)}})
runs = sa.Table("zenml_md_pipeline_runs", metadata,
                sa.Column("id", sa.String(36), primary_key=True),
                sa.Column("name", sa.String(255)), sa.Column("pipeline_id", sa.String(36)),
                sa.Column("status", sa.String(16)), sa.Column("stack_name", sa.String(255)),
                sa.Column("created", sa.DateTime), sa.Column("finished", sa.DateTime))
pipelines = sa.Table("zenml_md_pipelines", metadata,
                     sa.Column("id", sa.String(36), primary_key=True),
                     sa.Column("name", sa.String(255)))
runs_engine = sa.create_engine(f"sqlite:///{{config.uri}}")
with runs_engine.connect() as connection:
    total = connection.execute(sa.select(sa.func.count()).select_from(runs)).scalar()
    rows = connection.execute(
        sa.select(runs.c.name, pipelines.c.name, runs.c.status, runs.c.stack_name,
                  runs.c.created, runs.c.finished)
        .join(pipelines, pipelines.c.id == runs.c.pipeline_id)
        .order_by(runs.c.created.desc()).limit(20)).all()
print_table(["RUN", "PIPELINE", "STATUS", "STACK", "STARTED", "FINISHED"], rows,
            caption=f"page 1 of {{(total + 19) // 20}} ({{total}} runs)")
stack_engine.dispose()
runs_engine.dispose()
gc.freeze()  # as zenml's CLI ends: no last garbage collection of the libraries' objects
'''
