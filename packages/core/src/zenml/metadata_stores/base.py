"""The base class of every metadata store: SQLAlchemy on any SQL database.

Flavors only say where the database is (:attr:`database_url`) and how to
connect (:meth:`engine_options`, :meth:`configure_engine`); the tables,
queries and transactions are shared (:class:`RunRecords` on
:mod:`zenml.sql`), so SQLite and MySQL stores behave the same. Every method
is one transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from zenml.errors import EntityKeyError, EntityNotFoundError, MetadataStoreError
from zenml.metadata_stores.records import (
    ArtifactRecord,
    ExecutionStatus,
    NewArtifact,
    PipelineRecord,
    RunRecord,
    StepRunRecord,
)
from zenml.stack.component import StackComponent
from zenml.stack.component_type import StackComponentType

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy import exc

    from zenml.artifact_stores.base import BaseArtifactStore
    from zenml.metadata_stores.records_repository import RunRecords
    from zenml.post_execution.views import PipelineView
    from zenml.sql.database import Database

__all__ = ["BaseMetadataStore", "NewArtifact"]


class BaseMetadataStore(StackComponent):
    """Records pipelines, runs, step runs, artifacts and their lineage."""

    TYPE: ClassVar[StackComponentType] = StackComponentType.METADATA_STORE
    #: Whether a database with no tables at all gets zenml's tables on first use
    #: (a server database made for zenml); file flavors create their file whole.
    INITIALIZES_EMPTY_DATABASE: ClassVar[bool] = True
    #: Whether zenml's tables may join a database that holds other tables (a server
    #: database shared with other applications); file flavors refuse foreign files.
    SHARES_DATABASE: ClassVar[bool] = False

    _records: RunRecords | None = None
    _engine_lock: ClassVar[threading.Lock] = threading.Lock()

    # -- what flavors provide -------------------------------------------------
    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL of the store's database."""
        raise NotImplementedError

    @property
    def location(self) -> str:
        """Where the database is, for messages (never includes a password)."""
        return self.database_url

    @property
    def read_only(self) -> bool:
        """Whether this user may only read the database (known after prepare_database)."""
        return False

    def engine_options(self) -> dict[str, Any]:
        """Extra keyword arguments for ``sqlalchemy.create_engine``."""
        return {}

    def configure_engine(self, engine: sa.Engine) -> None:
        """Add connection events (pragmas, transaction modes) to a new engine."""

    def prepare_database(self) -> None:
        """Check or create what the engine will open (e.g. a database file); default: nothing."""

    def describe_error(self, error: BaseException) -> str:
        """A one-line cause for a database error."""
        orig = getattr(error, "orig", None) or error
        return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__

    # -- connection -------------------------------------------------------------
    @property
    def records(self) -> RunRecords:
        """The run records, on an engine created (and the schema checked) on first use."""
        if self._records is None:
            with self._engine_lock:
                if self._records is None:
                    import sqlalchemy as sa

                    from zenml.metadata_stores.records_repository import RunRecords
                    from zenml.sql.database import Database

                    self.prepare_database()
                    engine = sa.create_engine(self.database_url, **self.engine_options())
                    self.configure_engine(engine)
                    database = Database(engine, self._map_error, read_only=self.read_only)
                    try:
                        self._ensure_schema(database)
                    except BaseException:
                        engine.dispose()
                        raise
                    self._records = RunRecords(database, self.name)
        return self._records

    @property
    def engine(self) -> sa.Engine:
        """The engine (created, and the schema checked, on first use)."""
        return self.records.database.engine

    def _error(self, error: BaseException) -> MetadataStoreError:
        return MetadataStoreError(
            f"Metadata store '{self.name}' ({self.location}) cannot be used: "
            f"{self.describe_error(error)}"
        )

    def _map_error(self, error: exc.DBAPIError) -> BaseException | None:
        from sqlalchemy import exc

        return None if isinstance(error, exc.IntegrityError) else self._error(error)

    def _ensure_schema(self, database: Database) -> None:
        """Check the stored schema, create it in a database zenml may set up, or migrate it.

        A database with tables but no zenml schema belongs to something else
        and is refused untouched, unless the flavor shares databases. Reading
        needs no write access. Databases whose DDL commits at once (MySQL)
        must make concurrent callers take turns themselves, e.g. by overriding
        this method to call it under a server-side lock.
        """
        from zenml.metadata_stores.schema import SCHEMA
        from zenml.sql.schema import SchemaProblem, ensure_schema

        def adopt(tables: set[str]) -> bool:
            return self.INITIALIZES_EMPTY_DATABASE and (not tables or self.SHARES_DATABASE)

        try:
            ensure_schema(database, SCHEMA, adopt)
        except SchemaProblem as problem:
            raise MetadataStoreError(problem.message(
                f"Metadata store '{self.name}' ({self.location})", "zenml metadata database",
                "point the store at an empty or a zenml database")) from None

    def provision(self) -> None:
        """Create the database's tables."""
        _ = self.records

    def release_connections(self) -> None:
        """Close the pooled connections not in use; the store stays usable (a later read
        opens new ones) and a connection in use is closed when it is given back, so
        another thread may go on with this store meanwhile."""
        records = self._records
        if records is not None:
            records.database.dispose()  # a new, empty pool; the engine stays

    def dispose(self) -> None:
        """Close the store's connections."""
        if self._records is not None:
            self._records.database.dispose()
            self._records = None

    # -- writes and reads: the run records ----------------------------------------
    def create_run(self, *, run_id: str, run_name: str, pipeline_name: str, stack_name: str,
                   enable_cache: bool, num_steps: int, owner_pid: int | None = None
                   ) -> RunRecord:
        """Record a new run (idempotent for the same id, so any step may call it)."""
        return self.records.create_run(
            run_id=run_id, run_name=run_name, pipeline_name=pipeline_name,
            stack_name=stack_name, enable_cache=enable_cache, num_steps=num_steps,
            owner_pid=owner_pid)

    def finish_run(self, run_id: str, status: ExecutionStatus, error: str | None = None) -> None:
        """Mark a run completed or failed."""
        self.records.finish_run(run_id, status, error)

    def start_step_run(self, *, step_run_id: str, run_id: str, name: str, entrypoint_name: str,
                       source: str, parameters: Mapping[str, Any], cache_key: str,
                       inputs: Mapping[str, str]) -> None:
        """Record a step that starts running, with its input artifacts."""
        self.records.start_step_run(
            step_run_id=step_run_id, run_id=run_id, name=name, entrypoint_name=entrypoint_name,
            source=source, parameters=parameters, cache_key=cache_key, inputs=inputs)

    def complete_step_run(self, step_run_id: str, outputs: Sequence[NewArtifact]) -> None:
        """Record a step's outputs and mark it completed, in one transaction."""
        self.records.complete_step_run(step_run_id, outputs)

    def record_cached_step_run(self, *, step_run_id: str, run_id: str, name: str,
                               entrypoint_name: str, source: str,
                               parameters: Mapping[str, Any], cache_key: str,
                               inputs: Mapping[str, str], original: StepRunRecord) -> None:
        """Record a step reused from ``original``: its outputs and extras are the original's."""
        self.records.record_cached_step_run(
            step_run_id=step_run_id, run_id=run_id, name=name, entrypoint_name=entrypoint_name,
            source=source, parameters=parameters, cache_key=cache_key, inputs=inputs,
            original=original)

    def fail_step_run(self, step_run_id: str, error: str) -> None:
        """Mark a step failed with its error."""
        self.records.fail_step_run(step_run_id, error)

    def set_step_run_extra(self, step_run_id: str, key: str, value: Any) -> None:
        """Attach a JSON value to a step run (e.g. an experiment tracker's run URL)."""
        self.records.set_step_run_extra(step_run_id, key, value)

    def find_cached_step_run(self, pipeline_name: str, cache_key: str) -> StepRunRecord | None:
        """The newest finished step run of this pipeline with the same cache key."""
        return self.records.find_cached_step_run(pipeline_name, cache_key)

    def get_pipeline_records(self) -> list[PipelineRecord]:
        """Every pipeline, by first run (the records; :meth:`get_pipelines` gives views)."""
        return self.records.get_pipelines()

    # -- the original framework's read API: views ---------------------------------------
    def get_pipelines(self, *, artifact_store: BaseArtifactStore | None = None,
                      hidden_run_id: str | None = None) -> list[PipelineView]:
        """Every pipeline, by first run, as views (the original framework's read API).

        ``artifact_store`` is where the views read artifacts from (a step's
        ``context.metadata_store`` passes the run's); ``hidden_run_id`` is a run
        left out of the views (the asking step's own, unfinished run): a pipeline
        whose only run it is is left out too, as it was then.
        """
        from zenml.post_execution.views import PipelineView

        hidden_pipeline = None
        if hidden_run_id is not None:
            try:
                hidden_pipeline = self.get_run(hidden_run_id).pipeline_name
            except EntityNotFoundError:
                hidden_pipeline = None
        return [PipelineView(self, record, artifact_store, hidden_run_id=hidden_run_id)
                for record in self.get_pipeline_records()
                if record.name != hidden_pipeline or self.count_runs(record.name) > 1]

    def get_pipeline(self, pipeline_name: str, *,
                     artifact_store: BaseArtifactStore | None = None,
                     hidden_run_id: str | None = None) -> PipelineView:
        """The pipeline of that name as a view (the original framework's read API).

        A pipeline with no run (none but ``hidden_run_id``) raises
        :class:`~zenml.errors.EntityKeyError`, also a ``KeyError`` as then (the
        era's step-fixture docs catch it: "No prior runs found.").
        """
        for view in self.get_pipelines(artifact_store=artifact_store,
                                       hidden_run_id=hidden_run_id):
            if view.name == pipeline_name:
                return view
        earlier = " earlier" if hidden_run_id is not None else ""
        raise EntityKeyError(f"No{earlier} run of pipeline '{pipeline_name}' is recorded in "
                             f"metadata store '{self.name}'")

    def get_runs(self, pipeline_name: str | None = None, *, newest_first: bool = False,
                 limit: int | None = None, offset: int = 0,
                 status: ExecutionStatus | str | None = None, stack: str | None = None,
                 exclude_run_id: str | None = None) -> list[RunRecord]:
        """Runs (of one pipeline or all), oldest first unless ``newest_first``.

        ``status`` filters by the run's status as the views derive it (a stored
        ``running`` run whose owning process on this host is gone counts as
        ``failed``); ``stack`` by the name of the stack it ran on;
        ``exclude_run_id`` leaves one run out. Filtered and paged in SQL.
        """
        wanted, alive = self._status_filter(status)
        return self.records.get_runs(pipeline_name, newest_first=newest_first, limit=limit,
                                     offset=offset, status=wanted, stack=stack,
                                     alive_running=alive, exclude_run_id=exclude_run_id)

    def count_runs(self, pipeline_name: str | None = None, *,
                   status: ExecutionStatus | str | None = None, stack: str | None = None,
                   exclude_run_id: str | None = None) -> int:
        """How many runs there are (of one pipeline or all), filtered as :meth:`get_runs`."""
        wanted, alive = self._status_filter(status)
        return self.records.count_runs(pipeline_name, status=wanted, stack=stack,
                                       alive_running=alive, exclude_run_id=exclude_run_id)

    def _status_filter(self, status: ExecutionStatus | str | None
                       ) -> tuple[str | None, frozenset[str]]:
        """The stored status to filter by, and the stored-``running`` runs that are running.

        Only ``running`` and ``failed`` need the second: the few runs stored as
        running are read and their owners checked (``run_status``), so totals
        and pages stay exact and in SQL.
        """
        if status is None:
            return None, frozenset()
        try:
            wanted = ExecutionStatus(status)
        except ValueError:
            choices = ", ".join(s.value for s in ExecutionStatus)
            raise ValueError(f"Unknown run status {status!r}; use one of {choices}") from None
        if wanted not in (ExecutionStatus.RUNNING, ExecutionStatus.FAILED):
            return wanted.value, frozenset()
        from zenml.metadata_stores.status import run_status

        alive = frozenset(r.id for r in self.records.get_running_runs()
                          if run_status(r) is ExecutionStatus.RUNNING)
        return wanted.value, alive

    def get_run(self, name_or_id: str) -> RunRecord:
        """One run, by name or id."""
        return self.records.get_run(name_or_id)

    def get_step_runs(self, run_id: str) -> list[StepRunRecord]:
        """The steps of a run, in the order they started."""
        return self.records.get_step_runs(run_id)

    def count_step_statuses(self, run_ids: Collection[str]) -> dict[str, dict[str, int]]:
        """How many steps of each run have each stored status (one query; the derived
        counts are :func:`zenml.metadata_stores.status.step_status_counts`)."""
        return self.records.count_step_statuses(run_ids)

    def get_step_run(self, step_run_id: str) -> StepRunRecord:
        """One step run by id."""
        return self.records.get_step_run(step_run_id)

    def get_step_outputs(self, step_run_id: str) -> dict[str, ArtifactRecord]:
        """A step run's outputs by name (a cached step's are the original's)."""
        return self.records.get_step_outputs(step_run_id)

    def get_run_step_artifacts(self, run_id: str
                               ) -> tuple[dict[str, dict[str, ArtifactRecord]],
                                          dict[str, dict[str, ArtifactRecord]]]:
        """Inputs and outputs of every step run of a run (by step run id, then name)."""
        return self.records.get_run_step_artifacts(run_id)

    def get_step_inputs(self, step_run_id: str) -> dict[str, ArtifactRecord]:
        """A step run's inputs by name."""
        return self.records.get_step_inputs(step_run_id)

    def get_artifact(self, artifact_id: str) -> ArtifactRecord:
        """One artifact by id (:class:`~zenml.errors.EntityNotFoundError` if there is none)."""
        return self.records.get_artifact(artifact_id)

    def get_artifact_consumers(self, artifact_id: str, *, limit: int | None = None
                               ) -> list[StepRunRecord]:
        """The step runs, in any run (cached ones too), whose inputs include the artifact."""
        return self.records.get_artifact_consumers(artifact_id, limit=limit)

    def get_run_outputs(self, run_id: str, step_names: Sequence[str]
                        ) -> dict[str, dict[str, ArtifactRecord]]:
        """The outputs of finished steps of a run, by step name then output name."""
        return self.records.get_run_outputs(run_id, step_names)
