"""Saved runs in any SQLAlchemy database: an embedded SQLite file unless a URL says otherwise.

A row holds what reproduces the run (scenario name and sha256, variant, seed, draws, model and
data versions) and what shows it again without re-running (the summary and chart tables as
JSON), so a shared link or a CSV download never depends on the process that ran it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, Integer, String, Text, create_engine, delete, select
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from ..errors import EvpactError

if TYPE_CHECKING:
    from ..results import Results

DEFAULT_URL = "sqlite:///evpact-runs.sqlite"


class Base(DeclarativeBase):
    pass


class RunRow(Base):
    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    scenario: Mapped[str] = mapped_column(String(200), index=True)
    scenario_sha256: Mapped[str] = mapped_column(String(64))
    counterfactual: Mapped[str] = mapped_column(String(200))
    variant_json: Mapped[str] = mapped_column(Text)
    seed: Mapped[int | None] = mapped_column(Integer, nullable=True)
    draws: Mapped[int] = mapped_column(Integer)
    model_version: Mapped[str] = mapped_column(String(40))
    data_version: Mapped[str] = mapped_column(String(40))
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    summary_json: Mapped[str] = mapped_column(Text)
    charts_json: Mapped[str] = mapped_column(Text)


@dataclass(frozen=True)
class RunRecord:
    """One run as the store gives it back (plain data, no session attached)."""

    scenario: str
    scenario_sha256: str
    counterfactual: str
    variant: dict[str, Any]
    seed: int | None
    draws: int
    model_version: str
    data_version: str
    summary: dict[str, Any]
    charts: dict[str, Any] = field(default_factory=dict)
    id: str = ""
    created: datetime | None = None

    @classmethod
    def from_results(
        cls, results: Results, variant: dict[str, Any], charts: dict[str, Any]
    ) -> RunRecord:
        """A run to save: its provenance from ``results.meta``, its summary and charts."""
        m = results.meta
        return cls(
            scenario=m["scenario"],
            scenario_sha256=m["scenario_sha256"],
            counterfactual=m["counterfactual"],
            variant=variant,
            seed=m["seed"],
            draws=m["draws"],
            model_version=m["model_version"],
            data_version=m["data_version"],
            summary=results.summary_dict(),
            charts=charts,
        )

    def provenance(self) -> dict[str, Any]:
        """What reproduces the run, without its results."""
        return {
            "id": self.id,
            "scenario": self.scenario,
            "counterfactual": self.counterfactual,
            "scenario_sha256": self.scenario_sha256,
            "variant": self.variant,
            "seed": self.seed,
            "draws": self.draws,
            "model_version": self.model_version,
            "data_version": self.data_version,
            "created": self.created.isoformat() if self.created else None,
        }


def _record(row: RunRow) -> RunRecord:
    created = row.created if row.created.tzinfo else row.created.replace(tzinfo=UTC)
    return RunRecord(
        id=row.id,
        scenario=row.scenario,
        scenario_sha256=row.scenario_sha256,
        counterfactual=row.counterfactual,
        variant=json.loads(row.variant_json),
        seed=row.seed,
        draws=row.draws,
        model_version=row.model_version,
        data_version=row.data_version,
        created=created,
        summary=json.loads(row.summary_json),
        charts=json.loads(row.charts_json),
    )


class RunStore:
    """Save, list and fetch runs; the schema is created on first use."""

    def __init__(self, url: str = DEFAULT_URL) -> None:
        self.url = url
        try:
            self.engine = create_engine(url)
            Base.metadata.create_all(self.engine)
        except (ArgumentError, NoSuchModuleError, OperationalError, ImportError) as e:
            where = url.split("@")[-1]  # never repeat a password
            reason = str(e).splitlines()[0]
            raise EvpactError(f"cannot open the run store {where}: {reason}", "--db") from None

    def save(self, run: RunRecord) -> RunRecord:
        """Store a run under a new id; returns it with its id and creation time."""
        row = RunRow(
            id=uuid.uuid4().hex,
            scenario=run.scenario,
            scenario_sha256=run.scenario_sha256,
            counterfactual=run.counterfactual,
            variant_json=json.dumps(run.variant, sort_keys=True),
            seed=run.seed,
            draws=run.draws,
            model_version=run.model_version,
            data_version=run.data_version,
            created=datetime.now(UTC),
            summary_json=json.dumps(run.summary),
            charts_json=json.dumps(run.charts),
        )
        with Session(self.engine, expire_on_commit=False) as session:
            session.add(row)
            session.commit()
            return _record(row)

    def get(self, run_id: str) -> RunRecord | None:
        with Session(self.engine) as session:
            row = session.get(RunRow, run_id)
            return None if row is None else _record(row)

    def list(self, limit: int = 50, scenario: str | None = None) -> list[RunRecord]:
        """The latest runs first."""
        query = select(RunRow).order_by(RunRow.created.desc()).limit(limit)
        if scenario is not None:
            query = query.where(RunRow.scenario == scenario)
        with Session(self.engine) as session:
            return [_record(r) for r in session.scalars(query)]

    def prune(self, keep: int) -> int:
        """Delete all but the ``keep`` latest runs (the retention policy); returns how many."""
        # the keep-th latest creation time, then one plain DELETE (portable: no LIMIT in IN)
        nth = select(RunRow.created).order_by(RunRow.created.desc()).offset(keep - 1).limit(1)
        with Session(self.engine) as session, session.begin():
            cutoff = session.scalar(nth)
            if cutoff is None:
                return 0
            result = session.execute(delete(RunRow).where(RunRow.created < cutoff))
            return int(getattr(result, "rowcount", 0) or 0)

    def close(self) -> None:
        self.engine.dispose()
