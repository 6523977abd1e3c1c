"""The run records: pipelines, runs, step runs, artifacts and lineage, in SQL.

The data-access layer behind every metadata store (SQLite, MySQL/MariaDB):
the tables of :mod:`zenml.metadata_stores.schema`, one
:class:`zenml.sql.database.Database` transaction per method. Imported when a
store is first used, never by the CLI's start-up.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc

from zenml.errors import EntityExistsError, EntityNotFoundError
from zenml.metadata_stores.records import (
    ArtifactRecord,
    ExecutionStatus,
    NewArtifact,
    PipelineRecord,
    RunRecord,
    StepRunRecord,
)
from zenml.metadata_stores.schema import (
    artifacts,
    pipeline_runs,
    pipelines,
    step_inputs,
    step_outputs,
    step_runs,
)
from zenml.sql.database import Database, utcnow

__all__ = ["RunRecords"]

# Statements run for every step, built once: a statement object caches its
# SQL (cache key and compiled form), so a step only binds its values.
_STEP_RUN_OF_RUN = sa.select(step_runs.c.id, step_runs.c.status).where(
    step_runs.c.run_id == sa.bindparam("b_run_id"), step_runs.c.name == sa.bindparam("b_name"))
_INSERT_STEP_RUN = step_runs.insert()
_INSERT_STEP_INPUTS = step_inputs.insert()
_INSERT_ARTIFACTS = artifacts.insert()
_INSERT_STEP_OUTPUTS = step_outputs.insert()
_UPDATE_STEP_RUN = step_runs.update().where(step_runs.c.id == sa.bindparam("b_id"))
_FINISHED = [ExecutionStatus.COMPLETED.value, ExecutionStatus.CACHED.value]
_RUN_OUTPUTS = (
    sa.select(step_runs.c.name.label("step_name"), step_outputs.c.name.label("link_name"),
              artifacts)
    .join(step_outputs, step_outputs.c.step_run_id == step_runs.c.id)
    .join(artifacts, artifacts.c.id == step_outputs.c.artifact_id)
    .where(step_runs.c.run_id == sa.bindparam("b_run_id"),
           step_runs.c.name.in_(sa.bindparam("b_names", expanding=True)),
           step_runs.c.status.in_(_FINISHED)))
_CACHED_STEP_RUN = (
    sa.select(step_runs)
    .join(pipeline_runs, pipeline_runs.c.id == step_runs.c.run_id)
    .join(pipelines, pipelines.c.id == pipeline_runs.c.pipeline_id)
    .where(step_runs.c.cache_key == sa.bindparam("b_cache_key"),
           step_runs.c.status == ExecutionStatus.COMPLETED.value,
           pipelines.c.name == sa.bindparam("b_pipeline_name"))
    .order_by(step_runs.c.finished.desc())
    .limit(1))


def _status_clause(status: str, alive_running: Collection[str]) -> Any:
    """Runs of a status where a stored ``running`` run is running only if its owner lives."""
    stored = pipeline_runs.c.status
    running = ExecutionStatus.RUNNING.value
    alive = pipeline_runs.c.id.in_(sorted(alive_running))
    if status == running:
        return sa.and_(stored == running, alive)
    if status == ExecutionStatus.FAILED.value:
        return sa.or_(stored == status, sa.and_(stored == running, sa.not_(alive)))
    return stored == status


def _artifacts_query(link: Any) -> Any:
    return (sa.select(link.c.name.label("link_name"), artifacts)
            .join(artifacts, artifacts.c.id == link.c.artifact_id)
            .where(link.c.step_run_id == sa.bindparam("b_step_run_id")).order_by(link.c.name))


_ARTIFACTS_OF = {link.name: _artifacts_query(link) for link in (step_outputs, step_inputs)}


def _run_artifacts_query(link: Any) -> Any:
    """Every step run's links of one kind in a run, with the artifacts (one query)."""
    return (sa.select(link.c.step_run_id, link.c.name.label("link_name"), artifacts)
            .join(artifacts, artifacts.c.id == link.c.artifact_id)
            .join(step_runs, step_runs.c.id == link.c.step_run_id)
            .where(step_runs.c.run_id == sa.bindparam("b_run_id"))
            .order_by(link.c.step_run_id, link.c.name))


_RUN_ARTIFACTS = {link.name: _run_artifacts_query(link) for link in (step_outputs, step_inputs)}


class RunRecords:
    """The records of one metadata store's database (``store_name`` is for messages)."""

    def __init__(self, database: Database, store_name: str) -> None:
        self.database = database
        self.store_name = store_name

    # -- writes -----------------------------------------------------------------
    def create_run(self, *, run_id: str, run_name: str, pipeline_name: str, stack_name: str,
                   enable_cache: bool, num_steps: int, owner_pid: int | None = None,
                   _retry: bool = True) -> RunRecord:
        """Record a new run (idempotent for the same id, so any step may call it).

        ``owner_pid`` (0 when unknown) is the process running every step.
        """
        now = utcnow()
        try:
            with self.database.transaction(write=True) as conn:
                existing = conn.execute(sa.select(pipeline_runs.c.id).where(
                    pipeline_runs.c.name == run_name)).scalar()
                if existing is not None:
                    if existing != run_id:
                        raise EntityExistsError(
                            f"A run named '{run_name}' already exists in metadata store "
                            f"'{self.store_name}'; choose another run_name")
                else:
                    pipeline_id = conn.execute(sa.select(pipelines.c.id).where(
                        pipelines.c.name == pipeline_name)).scalar()
                    if pipeline_id is None:
                        pipeline_id = str(uuid.uuid4())
                        conn.execute(pipelines.insert().values(
                            id=pipeline_id, name=pipeline_name, created=now))
                    conn.execute(pipeline_runs.insert().values(
                        id=run_id, name=run_name, pipeline_id=pipeline_id,
                        status=ExecutionStatus.RUNNING.value, enable_cache=enable_cache,
                        stack_name=stack_name, num_steps=num_steps,
                        host=socket.gethostname()[:255], pid=owner_pid or 0, created=now))
        except exc.IntegrityError:
            # a concurrent first run of the same pipeline or of the same run: look again
            with self.database.transaction(write=False) as conn:
                by_name = conn.execute(sa.select(pipeline_runs.c.id).where(
                    pipeline_runs.c.name == run_name)).scalar()
                by_id = conn.execute(sa.select(pipeline_runs.c.name).where(
                    pipeline_runs.c.id == run_id)).scalar()
            if by_id is not None and by_id != run_name:
                raise EntityExistsError(
                    f"Run id {run_id} is already recorded as run '{by_id}' in metadata "
                    f"store '{self.store_name}'; a run id names one run") from None
            if by_name != run_id:
                if not _retry:
                    raise
                return self.create_run(run_id=run_id, run_name=run_name,
                                       pipeline_name=pipeline_name, stack_name=stack_name,
                                       enable_cache=enable_cache, num_steps=num_steps,
                                       owner_pid=owner_pid, _retry=False)
        return self.get_run(run_id)

    def finish_run(self, run_id: str, status: ExecutionStatus, error: str | None = None) -> None:
        """Mark a run completed or failed."""
        with self.database.transaction(write=True) as conn:
            conn.execute(pipeline_runs.update().where(pipeline_runs.c.id == run_id).values(
                status=status.value, finished=utcnow(), error=error))

    def start_step_run(self, *, step_run_id: str, run_id: str, name: str, entrypoint_name: str,
                       source: str, parameters: Mapping[str, Any], cache_key: str,
                       inputs: Mapping[str, str]) -> None:
        """Record a step that starts running, with its input artifacts.

        A step run left ``running`` by a killed process is replaced. The insert
        comes first (a failed statement leaves the transaction as it was): a step
        met for the first time costs one statement, not a lookup and a statement.
        """
        row = {"id": step_run_id, "run_id": run_id, "name": name,
               "entrypoint_name": entrypoint_name, "source": source,
               "status": ExecutionStatus.RUNNING.value, "is_cached": False,
               "cache_key": cache_key,
               "parameters": json.dumps(dict(parameters), sort_keys=True), "extra": "{}",
               "started": utcnow()}
        with self.database.transaction(write=True) as conn:
            try:
                conn.execute(_INSERT_STEP_RUN, row)
            except exc.IntegrityError:  # this step has a record in this run already
                stale = conn.execute(_STEP_RUN_OF_RUN,
                                     {"b_run_id": run_id, "b_name": name}).first()
                if stale is None:  # another constraint (the run is not recorded)
                    raise
                if stale.status != ExecutionStatus.RUNNING.value:
                    raise EntityExistsError(
                        f"Step '{name}' already ran in this run ({stale.status})") from None
                conn.execute(step_inputs.delete().where(step_inputs.c.step_run_id == stale.id))
                conn.execute(step_runs.delete().where(step_runs.c.id == stale.id))
                conn.execute(_INSERT_STEP_RUN, row)
            if inputs:
                conn.execute(_INSERT_STEP_INPUTS, [
                    {"step_run_id": step_run_id, "name": k, "artifact_id": v}
                    for k, v in inputs.items()])

    def complete_step_run(self, step_run_id: str, outputs: Sequence[NewArtifact]) -> None:
        """Record a step's outputs and mark it completed, in one transaction."""
        now = utcnow()
        with self.database.transaction(write=True) as conn:
            if outputs:
                conn.execute(_INSERT_ARTIFACTS, [
                    {"id": a.id, "uri": a.uri, "name": a.name, "data_type": a.data_type,
                     "materializer": a.materializer, "content_hash": a.content_hash,
                     "producer_step_run_id": step_run_id, "created": now}
                    for a in outputs])
                conn.execute(_INSERT_STEP_OUTPUTS, [
                    {"step_run_id": step_run_id, "name": a.name, "artifact_id": a.id}
                    for a in outputs])
            conn.execute(_UPDATE_STEP_RUN, {"b_id": step_run_id,
                                            "status": ExecutionStatus.COMPLETED.value,
                                            "finished": now})

    def record_cached_step_run(self, *, step_run_id: str, run_id: str, name: str,
                               entrypoint_name: str, source: str,
                               parameters: Mapping[str, Any], cache_key: str,
                               inputs: Mapping[str, str], original: StepRunRecord) -> None:
        """Record a step reused from ``original``: its outputs and extras are the original's."""
        now = utcnow()
        with self.database.transaction(write=True) as conn:
            stale = conn.execute(sa.select(step_runs.c.id).where(
                step_runs.c.run_id == run_id, step_runs.c.name == name,
                step_runs.c.status == ExecutionStatus.RUNNING.value)).scalar()
            if stale is not None:
                conn.execute(step_inputs.delete().where(step_inputs.c.step_run_id == stale))
                conn.execute(step_runs.delete().where(step_runs.c.id == stale))
            conn.execute(step_runs.insert().values(
                id=step_run_id, run_id=run_id, name=name, entrypoint_name=entrypoint_name,
                source=source, status=ExecutionStatus.CACHED.value, is_cached=True,
                cache_key=cache_key, original_step_run_id=original.id,
                parameters=json.dumps(dict(parameters), sort_keys=True),
                extra=json.dumps(original.extra, sort_keys=True), started=now, finished=now))
            if inputs:
                conn.execute(step_inputs.insert(), [
                    {"step_run_id": step_run_id, "name": k, "artifact_id": v}
                    for k, v in inputs.items()])
            rows = conn.execute(sa.select(step_outputs.c.name, step_outputs.c.artifact_id).where(
                step_outputs.c.step_run_id == original.id)).all()
            if rows:
                conn.execute(step_outputs.insert(), [
                    {"step_run_id": step_run_id, "name": r.name, "artifact_id": r.artifact_id}
                    for r in rows])

    def fail_step_run(self, step_run_id: str, error: str) -> None:
        """Mark a step failed with its error."""
        with self.database.transaction(write=True) as conn:
            conn.execute(step_runs.update().where(step_runs.c.id == step_run_id).values(
                status=ExecutionStatus.FAILED.value, finished=utcnow(), error=error))

    def set_step_run_extra(self, step_run_id: str, key: str, value: Any) -> None:
        """Attach a JSON value to a step run (e.g. an experiment tracker's run URL)."""
        with self.database.transaction(write=True) as conn:
            current = conn.execute(sa.select(step_runs.c.extra).where(
                step_runs.c.id == step_run_id)).scalar()
            if current is None:
                raise EntityNotFoundError(f"No step run {step_run_id}")
            extra = json.loads(current)
            extra[key] = value
            conn.execute(step_runs.update().where(step_runs.c.id == step_run_id).values(
                extra=json.dumps(extra, sort_keys=True)))

    # -- reads --------------------------------------------------------------------
    def find_cached_step_run(self, pipeline_name: str, cache_key: str) -> StepRunRecord | None:
        """The newest finished step run of this pipeline with the same cache key."""
        with self.database.transaction(write=False) as conn:
            row = conn.execute(_CACHED_STEP_RUN, {"b_cache_key": cache_key,
                                                  "b_pipeline_name": pipeline_name}).first()
        return _step_run(row) if row is not None else None

    def get_pipelines(self) -> list[PipelineRecord]:
        """Every pipeline, by first run."""
        with self.database.transaction(write=False) as conn:
            rows = conn.execute(sa.select(pipelines).order_by(pipelines.c.created)).all()
        return [PipelineRecord(id=r.id, name=r.name, created=r.created) for r in rows]

    def _runs_query(self, pipeline_name: str | None, *, status: str | None = None,
                    stack: str | None = None, alive_running: Collection[str] = (),
                    exclude_run_id: str | None = None, columns: Any = None) -> Any:
        """Runs with their pipeline's name, filtered in SQL (see :meth:`get_runs`)."""
        if columns is None:
            query = sa.select(pipeline_runs, pipelines.c.name.label("pipeline_name")).join(
                pipelines, pipelines.c.id == pipeline_runs.c.pipeline_id)
        else:
            query = sa.select(columns)
        if pipeline_name is not None:  # by id: the (pipeline_id, created) index serves it
            query = query.where(pipeline_runs.c.pipeline_id == sa.select(pipelines.c.id).where(
                pipelines.c.name == pipeline_name).scalar_subquery())
        if stack is not None:
            query = query.where(pipeline_runs.c.stack_name == stack)
        if status is not None:
            query = query.where(_status_clause(status, alive_running))
        if exclude_run_id is not None:
            query = query.where(pipeline_runs.c.id != exclude_run_id)
        return query

    def get_runs(self, pipeline_name: str | None = None, *, newest_first: bool = False,
                 limit: int | None = None, offset: int = 0, status: str | None = None,
                 stack: str | None = None, alive_running: Collection[str] = (),
                 exclude_run_id: str | None = None) -> list[RunRecord]:
        """Runs (of one pipeline or all), oldest first unless ``newest_first``.

        ``status`` is a stored status, except that a stored ``running`` run counts
        as ``running`` only if its id is in ``alive_running`` and as ``failed``
        otherwise (the caller knows which owners are alive); ``stack`` is the name
        of the stack it ran on.
        """
        query = self._runs_query(pipeline_name, status=status, stack=stack,
                                 alive_running=alive_running, exclude_run_id=exclude_run_id)
        order = (pipeline_runs.c.created.desc(), pipeline_runs.c.id.desc()) if newest_first \
            else (pipeline_runs.c.created, pipeline_runs.c.id)
        query = query.order_by(*order).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self.database.transaction(write=False) as conn:
            rows = conn.execute(query).all()
        return [_run(r) for r in rows]

    def count_runs(self, pipeline_name: str | None = None, *, status: str | None = None,
                   stack: str | None = None, alive_running: Collection[str] = (),
                   exclude_run_id: str | None = None) -> int:
        """How many runs :meth:`get_runs` would return with the same filters."""
        query = self._runs_query(pipeline_name, status=status, stack=stack,
                                 alive_running=alive_running, exclude_run_id=exclude_run_id,
                                 columns=sa.func.count()).select_from(pipeline_runs)
        with self.database.transaction(write=False) as conn:
            return int(conn.execute(query).scalar() or 0)

    def get_running_runs(self) -> list[RunRecord]:
        """Every run whose stored status is ``running`` (few: those of live or killed
        processes), for the caller to tell live owners from dead ones."""
        query = self._runs_query(None).where(
            pipeline_runs.c.status == ExecutionStatus.RUNNING.value)
        with self.database.transaction(write=False) as conn:
            rows = conn.execute(query).all()
        return [_run(r) for r in rows]

    def get_run(self, name_or_id: str) -> RunRecord:
        """One run, by name or id."""
        query = self._runs_query(None).where(
            (pipeline_runs.c.name == name_or_id) | (pipeline_runs.c.id == name_or_id))
        with self.database.transaction(write=False) as conn:
            row = conn.execute(query).first()
        if row is None:
            raise EntityNotFoundError(
                f"No run '{name_or_id}' in metadata store '{self.store_name}' (see "
                f"'zenml pipeline runs list')")
        return _run(row)

    def get_step_runs(self, run_id: str) -> list[StepRunRecord]:
        """The steps of a run, in the order they started."""
        with self.database.transaction(write=False) as conn:
            rows = conn.execute(sa.select(step_runs).where(step_runs.c.run_id == run_id)
                                .order_by(step_runs.c.started, step_runs.c.name)).all()
        return [_step_run(r) for r in rows]

    def count_step_statuses(self, run_ids: Collection[str]) -> dict[str, dict[str, int]]:
        """How many steps of each run have each stored status, in one query: run id ->
        status -> count (a run without steps maps to an empty dict)."""
        counts: dict[str, dict[str, int]] = {run_id: {} for run_id in run_ids}
        if not counts:
            return counts
        query = (sa.select(step_runs.c.run_id, step_runs.c.status, sa.func.count())
                 .where(step_runs.c.run_id.in_(list(counts)))
                 .group_by(step_runs.c.run_id, step_runs.c.status))
        with self.database.transaction(write=False) as conn:
            for run_id, status, count in conn.execute(query):
                counts[run_id][status] = int(count)
        return counts

    def get_step_run(self, step_run_id: str) -> StepRunRecord:
        """One step run by id."""
        with self.database.transaction(write=False) as conn:
            row = conn.execute(sa.select(step_runs).where(step_runs.c.id == step_run_id)).first()
        if row is None:
            raise EntityNotFoundError(f"No step run {step_run_id} in '{self.store_name}'")
        return _step_run(row)

    def _artifacts_of(self, link: Any, step_run_id: str) -> dict[str, ArtifactRecord]:
        with self.database.transaction(write=False) as conn:
            rows = conn.execute(_ARTIFACTS_OF[link.name], {"b_step_run_id": step_run_id}).all()
        return {r.link_name: _artifact(r) for r in rows}

    def get_step_outputs(self, step_run_id: str) -> dict[str, ArtifactRecord]:
        """A step run's outputs by name (a cached step's are the original's)."""
        return self._artifacts_of(step_outputs, step_run_id)

    def get_step_inputs(self, step_run_id: str) -> dict[str, ArtifactRecord]:
        """A step run's inputs by name."""
        return self._artifacts_of(step_inputs, step_run_id)

    def get_run_step_artifacts(self, run_id: str
                               ) -> tuple[dict[str, dict[str, ArtifactRecord]],
                                          dict[str, dict[str, ArtifactRecord]]]:
        """Every step run's inputs and outputs in a run, by step run id then name.

        Two queries for the whole run, where :meth:`get_step_inputs` and
        :meth:`get_step_outputs` take two per step (a 200-step run's graph).
        """
        found: list[dict[str, dict[str, ArtifactRecord]]] = []
        with self.database.transaction(write=False) as conn:
            for link in (step_inputs, step_outputs):
                by_step: dict[str, dict[str, ArtifactRecord]] = {}
                for r in conn.execute(_RUN_ARTIFACTS[link.name], {"b_run_id": run_id}):
                    by_step.setdefault(r.step_run_id, {})[r.link_name] = _artifact(r)
                found.append(by_step)
        return found[0], found[1]

    def get_artifact(self, artifact_id: str) -> ArtifactRecord:
        """One artifact by id."""
        with self.database.transaction(write=False) as conn:
            row = conn.execute(sa.select(artifacts).where(artifacts.c.id == artifact_id)).first()
        if row is None:
            raise EntityNotFoundError(f"No artifact {artifact_id} in '{self.store_name}'")
        return _artifact(row)

    def get_artifact_consumers(self, artifact_id: str, *, limit: int | None = None
                               ) -> list[StepRunRecord]:
        """The step runs (of any run, cached ones too) that took the artifact as an input.

        In the order they started; a step that took it as several inputs is listed once.
        """
        query = (sa.select(step_runs).where(step_runs.c.id.in_(
            sa.select(step_inputs.c.step_run_id).where(step_inputs.c.artifact_id == artifact_id)))
            .order_by(step_runs.c.started, step_runs.c.id))
        if limit is not None:
            query = query.limit(limit)
        with self.database.transaction(write=False) as conn:
            rows = conn.execute(query).all()
        return [_step_run(r) for r in rows]

    def get_run_outputs(self, run_id: str, step_names: Sequence[str]
                        ) -> dict[str, dict[str, ArtifactRecord]]:
        """The outputs of finished steps of a run, by step name then output name."""
        result: dict[str, dict[str, ArtifactRecord]] = {}
        with self.database.transaction(write=False) as conn:
            for r in conn.execute(_RUN_OUTPUTS, {"b_run_id": run_id,
                                                 "b_names": list(step_names)}):
                result.setdefault(r.step_name, {})[r.link_name] = _artifact(r)
        return result


def _run(row: Any) -> RunRecord:
    return RunRecord(
        id=row.id, name=row.name, pipeline_name=row.pipeline_name,
        status=ExecutionStatus(row.status), enable_cache=bool(row.enable_cache),
        stack_name=row.stack_name, num_steps=row.num_steps, host=row.host, pid=row.pid,
        created=row.created, finished=row.finished, error=row.error)


def _step_run(row: Any) -> StepRunRecord:
    return StepRunRecord(
        id=row.id, run_id=row.run_id, name=row.name, entrypoint_name=row.entrypoint_name,
        source=row.source, status=ExecutionStatus(row.status), is_cached=bool(row.is_cached),
        cache_key=row.cache_key, original_step_run_id=row.original_step_run_id,
        parameters=json.loads(row.parameters), extra=json.loads(row.extra),
        started=row.started, finished=row.finished, error=row.error)


def _artifact(row: Any) -> ArtifactRecord:
    return ArtifactRecord(
        id=row.id, uri=row.uri, name=row.name, data_type=row.data_type,
        materializer=row.materializer, producer_step_run_id=row.producer_step_run_id,
        created=row.created, content_hash=row.content_hash)
