"""The FastAPI app: the page, the HTTP API (documented at /docs and /openapi.json), and the
guards every request passes (body size, draws, years, run time). Input errors are 4xx with
``{"detail": "..."}``; every response carries the model and data versions as headers."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import replace
from functools import cache, partial
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..api import DEFAULT_DRAWS, DEFAULT_SEED, simulate
from ..data import reference
from ..engine.compile import compile_scenario
from ..engine.resilience import chain_indicators
from ..errors import EvpactError
from ..labels import LABELS, label, unit_text
from ..optimize.search import MAX_BUDGET, MIN_BUDGET
from ..report.chain import chain_table, sankey_figure
from ..report.figures import clean, records, stress_figure, views
from ..results import Results
from ..scenario.load import bundled_scenarios, load_counterfactual, read_yaml
from ..scenario.model import STAGES, Scenario
from ..store import RunRecord, RunStore
from ..stress import check as check_stress
from ..stress import parse_cut, stress
from . import design, scenarios
from .explain import explain, reported_metrics
from .jobs import Busy, Jobs, Progress, QueueFull, SyncGate, deadline_progress
from .settings import Settings
from .terms import terms

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

STATIC = Path(str(resources.files("evpact") / "web" / "static"))


def _swagger() -> Path | None:
    """Swagger UI's files, from the fastapi-offline package (no CDN: /docs works offline)."""
    try:
        return Path(str(resources.files("fastapi_offline") / "static"))
    except ModuleNotFoundError:
        return None


def _plotly_path() -> Path:
    import plotly  # type: ignore[import-untyped]

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@cache
def _plotly_gz() -> bytes:
    """plotly.js gzipped once per process (4.8 MB -> about 1.4 MB), not once per request."""
    import gzip

    return gzip.compress(_plotly_path().read_bytes(), compresslevel=9, mtime=0)


def versions() -> dict[str, str]:
    return {"model_version": __version__, "data_version": reference().version}


# --- request bodies ------------------------------------------------------------------------


class ScenarioSpec(BaseModel):
    """A bundled scenario by name, or an uploaded scenario file's text; plus a variant."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    scenario: str | None = Field(default=None, max_length=200, examples=["canada-korea-2026"])
    yaml: str | None = Field(default=None, description="Text of a scenario YAML file.")
    variant: dict[str, Any] = Field(
        default_factory=dict,
        alias="set",
        description="Variant: dotted paths to values.",
        examples=[{"deals.hmg-ontario.linkage.threshold": 0.6}],
    )


class RunRequest(ScenarioSpec):
    draws: int = Field(default=DEFAULT_DRAWS, ge=1, le=10_000_000)
    seed: int = Field(default=DEFAULT_SEED, ge=0, le=2**32 - 1)


class Cut(BaseModel):
    """A supply cut: ``share`` of ``country``'s output at ``stage`` (as ``evpact stress --cut``)."""

    model_config = ConfigDict(extra="forbid")
    stage: str = Field(max_length=20, description=f"One of: {', '.join(STAGES)}.", examples=["cam"])
    country: str = Field(max_length=10, description="ISO 3166 alpha-2 code.", examples=["CN"])
    share: float = Field(description="Share of that output cut, in [0, 1].", examples=[1.0])


class StressRequest(RunRequest):
    cuts: list[Cut] = Field(min_length=1, max_length=20)
    weeks: float = Field(default=12.0, description="How long the cuts last, in (0, 520].")
    year: int | None = Field(
        default=None, ge=1900, le=2200, description="Year the cuts start (default mid-horizon)."
    )


class OptimizeRequest(ScenarioSpec):
    """A search over deal terms (as ``evpact optimize``)."""

    terms: list[str] = Field(
        min_length=1,
        max_length=8,
        description="PATH=LOW:HIGH, as --term.",
        examples=[["deals.hmg-ontario.linkage.threshold=0.1:0.6"]],
    )
    objectives: list[str] = Field(
        min_length=1,
        max_length=4,
        description="METRIC[.STAT][:max|min], as --objective.",
        examples=[["net_public_benefit_npv", "public_cost_npv:min"]],
    )
    constraints: list[str] = Field(
        default_factory=list,
        max_length=8,
        description="METRIC[.STAT]>=NUMBER or <=NUMBER, as --constraint.",
        examples=[["linkage_met_share>=0.5"]],
    )
    draws: int = Field(default=200, ge=1, le=10_000_000, description="Draws per candidate.")
    budget: int = Field(default=100, ge=MIN_BUDGET, le=MAX_BUDGET, description="Candidates.")
    seed: int = Field(default=DEFAULT_SEED, ge=0, le=2**32 - 1)


class ZopaRequest(RunRequest):
    """The price of a plant and the negotiation zone (as ``evpact zopa``)."""

    draws: int = Field(default=500, ge=1, le=10_000_000)


class CompareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    a: ScenarioSpec
    b: ScenarioSpec
    draws: int = Field(default=DEFAULT_DRAWS, ge=1, le=10_000_000)
    seed: int = Field(default=DEFAULT_SEED, ge=0, le=2**32 - 1)


Mode = Literal["auto", "sync", "job"]
ModeQuery = Annotated[
    Mode, Query(description="sync: answer now; job: return a job to poll; auto: by size.")
]


# --- guards --------------------------------------------------------------------------------


def _json_error(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail, **versions()}, status_code=status)


class Guard:
    """Refuse bodies over the limit before the app reads them (413), and stamp every
    response with the model and data versions."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        v = versions()
        self.headers = [
            (b"x-evpact-model-version", v["model_version"].encode()),
            (b"x-evpact-data-version", v["data_version"].encode()),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        limit = self.max_body_bytes
        declared = dict(scope.get("headers", [])).get(b"content-length")
        too_big = _json_error(413, f"request body over the limit of {limit:,} bytes")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await too_big(scope, receive, stamped)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > limit:
                await too_big(scope, receive, stamped)
                return
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, stamped)


# --- the app -------------------------------------------------------------------------------


def create_app(settings: Settings | None = None) -> FastAPI:
    """An app with its own store and job queue (several apps can live in one process)."""
    cfg = settings or Settings.from_env()
    store = RunStore(cfg.db)
    jobs = Jobs(cfg.max_seconds, cfg.max_queued)
    gate = SyncGate(cfg.max_sync)
    swagger = _swagger()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        yield
        jobs.shutdown()
        store.close()

    app = FastAPI(
        title="evpact",
        version=__version__,
        description=(
            "Evaluate EV industrial deals: battery supply tied to local vehicle assembly. "
            "Every response carries X-Evpact-Model-Version and X-Evpact-Data-Version; every "
            "run records its scenario sha256 and seed."
        ),
        lifespan=lifespan,
        docs_url=None,  # served below from local assets: /docs works offline
        redoc_url=None,
    )

    @app.exception_handler(EvpactError)
    async def _input_error(request: Request, exc: EvpactError) -> JSONResponse:
        if isinstance(exc, QueueFull | Busy):
            response = _json_error(429 if isinstance(exc, QueueFull) else 503, str(exc))
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        return _json_error(422, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = _json_error(exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors()[:3]:
            loc = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "body"
            problems.append(f"{loc}: {err.get('msg', 'invalid')}")
        more = f" (and {len(exc.errors()) - 3} more)" if len(exc.errors()) > 3 else ""
        return _json_error(422, "; ".join(problems) + more)

    # --- running ---------------------------------------------------------------------------

    def check_limits(scenario: Scenario, draws: int) -> None:
        if draws > cfg.max_draws:
            raise EvpactError(f"draws: at most {cfg.max_draws:,} on this server, got {draws:,}")
        years = scenario.horizon[1] - scenario.horizon[0] + 1
        if years > cfg.max_years:
            raise EvpactError(f"horizon: at most {cfg.max_years} years here, got {years}")

    def save(results: Results, variant: dict[str, Any]) -> RunRecord:
        charts = {v.id: v.to_json() for v in views(results)}
        record = RunRecord.from_results(results, variant, charts)
        saved = store.save(replace(record, summary=clean(record.summary)))  # JSON: no NaN
        if cfg.keep_runs > 0:
            store.prune(cfg.keep_runs)
        return saved

    def run_one(req: RunRequest, scenario: Scenario, progress: Progress) -> dict[str, Any]:
        results = simulate(scenario, req.draws, req.seed, progress=progress)
        return run_json(save(results, req.variant))

    def run_compare(
        req: CompareRequest, a: Scenario, b: Scenario, progress: Progress
    ) -> dict[str, Any]:
        def step(k: int) -> Progress:  # three runs make one progress bar
            def report(n: int, total: int) -> None:
                progress(k * total + n, 3 * total)

            return report

        def side(k: int, s: Scenario, spec: ScenarioSpec) -> dict[str, Any] | None:
            """A side against its own counterfactual (none for a world without a deal)."""
            if s.counterfactual is None:
                return None
            return run_json(save(simulate(s, req.draws, req.seed, progress=step(k)), spec.variant))

        out = {"a": side(0, a, req.a), "b": side(1, b, req.b)}
        diff = simulate(a, req.draws, req.seed, counterfactual=b, progress=step(2))
        variant = {"a": req.a.variant, "b": req.b.variant}
        return {**out, "difference": run_json(save(diff, variant)), **versions()}

    def run_stress(
        req: StressRequest,
        scenario: Scenario,
        cuts: list[tuple[str, str, float]],
        progress: Progress,
    ) -> dict[str, Any]:
        result = stress(
            scenario, cuts, req.weeks, req.year, draws=req.draws, seed=req.seed, progress=progress
        )
        m = result.meta
        text = ", ".join(f"{c['stage']}:{c['country']}={c['share']:g}" for c in m["cuts"])
        title = f"Mean loss: {text} for {m['weeks']:g} weeks from {m['year']}"
        return {
            **clean(result.to_dict()),
            "columns": list(result.table.columns),
            "figure": stress_figure(result.table, title),
            **versions(),
        }

    def dispatch(
        task: Callable[[Progress], dict[str, Any]], draws: int, mode: Mode, runs: int = 1
    ) -> JSONResponse:
        if mode == "job" or (mode == "auto" and draws * runs > cfg.sync_draws):
            job = jobs.submit(task)
            return JSONResponse(
                {**job.to_json(), **versions()},
                status_code=202,
                headers={"Location": f"/api/jobs/{job.id}"},
            )
        if draws * runs > cfg.sync_draws:
            raise EvpactError(
                f"a synchronous run takes at most {cfg.sync_draws:,} draws"
                f"{' in all' if runs > 1 else ''}; use mode=job for more"
            )
        return JSONResponse(gate.run(task, deadline_progress(cfg.max_seconds)))

    # --- routes ----------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"))

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js(request: Request) -> Response:
        headers = {"Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return Response(_plotly_gz(), media_type="text/javascript", headers=headers)
        return FileResponse(_plotly_path(), media_type="text/javascript", headers=headers)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        if swagger is None:
            return HTMLResponse(
                "<p>API docs need the fastapi-offline package (pip install fastapi-offline); "
                'the API itself is described at <a href="/openapi.json">/openapi.json</a>.</p>',
                status_code=503,
            )
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="evpact API",
            swagger_js_url="/vendor/swagger/swagger-ui-bundle.js",
            swagger_css_url="/vendor/swagger/swagger-ui.css",
            swagger_favicon_url="/vendor/swagger/favicon.png",
        )

    @app.get("/api", summary="Model and data versions, and this server's limits")
    def about() -> dict[str, Any]:
        return {
            **versions(),
            "limits": {
                "max_draws": cfg.max_draws,
                "sync_draws": cfg.sync_draws,
                "max_seconds": cfg.max_seconds,
                "max_body_bytes": cfg.max_body_bytes,
                "max_years": cfg.max_years,
                "max_sync": cfg.max_sync,
                "max_queued": cfg.max_queued,
                "keep_runs": cfg.keep_runs,
                "max_candidates": cfg.max_candidates,
            },
        }

    @app.get("/api/scenarios", summary="The bundled scenarios")
    def list_scenarios() -> dict[str, Any]:
        rows = []
        for name, path in bundled_scenarios().items():
            raw = read_yaml(path)
            rows.append(
                {
                    "name": name,
                    "title": str(raw.get("title", "")),
                    "counterfactual": raw.get("counterfactual"),
                    "horizon": raw.get("horizon"),
                }
            )
        return {"scenarios": rows, **versions()}

    @app.get("/api/scenarios/{name}", summary="A bundled scenario, its main terms and its file")
    def get_scenario(name: str) -> dict[str, Any]:
        try:
            scenarios.bundled_name(name)
        except EvpactError as e:
            raise HTTPException(404, str(e)) from None
        s = scenarios.resolve(name, None, {})
        return {
            "name": s.name,
            "title": s.title,
            "description": s.description,
            "hypothetical": s.hypothetical,
            "counterfactual": s.counterfactual,
            "horizon": list(s.horizon),
            "terms": terms(s),
            "yaml": bundled_scenarios()[name].read_text(encoding="utf-8"),
            **versions(),
        }

    def chain_of(name: str) -> tuple[Scenario, Any]:
        try:
            scenarios.bundled_name(name)
        except EvpactError as e:
            raise HTTPException(404, str(e)) from None
        s = scenarios.resolve(name, None, {})
        return s, compile_scenario(s)

    @app.get(
        "/api/scenarios/{name}/chain",
        summary="Where each stage of the deals' battery chains sits (as evpact chain)",
    )
    def get_chain(name: str) -> dict[str, Any]:
        s, model = chain_of(name)
        table = chain_table(model)
        domestic, hhi_max = chain_indicators(model.chain_rows())
        return {
            "scenario": s.name,
            "home": model.home,
            "horizon": list(s.horizon),
            "stages": list(STAGES),
            "columns": list(table.columns),
            "rows": records(table),
            "domestic_chain_share": clean(domestic),
            "chain_hhi_max": clean(hhi_max),
            "figure": sankey_figure(model) if len(table) else None,
            "links": {"csv": f"/api/scenarios/{name}/chain.csv"},
            **versions(),
        }

    @app.get(
        "/api/scenarios/{name}/chain.csv",
        summary="The chain table as CSV",
        response_class=PlainTextResponse,
    )
    def get_chain_csv(name: str) -> PlainTextResponse:
        s, model = chain_of(name)
        table = chain_table(model)
        return _csv(records(table), list(table.columns), f"{s.name}-chain")

    @app.get("/api/schema", summary="JSON Schema of the scenario format")
    def schema() -> dict[str, Any]:
        return Scenario.model_json_schema(by_alias=True)

    @app.post("/api/validate", summary="Check a scenario (and variant) without running it")
    def validate(spec: ScenarioSpec) -> dict[str, Any]:
        from ..scenario.load import scenario_sha256

        s = scenarios.resolve(spec.scenario, spec.yaml, spec.variant)
        compile_scenario(s)
        if s.counterfactual is not None:
            compile_scenario(load_counterfactual(s, spec.variant))
        return {
            "valid": True,
            "scenario": s.name,
            "counterfactual": s.counterfactual,
            "scenario_sha256": scenario_sha256(s),
            "horizon": list(s.horizon),
            "plants": len(s.plants),
            "deals": len(s.deals),
            "terms": terms(s),
            **versions(),
        }

    @app.post(
        "/api/runs",
        summary="Run a scenario against its counterfactual (sync when small, else a job)",
        responses={202: {"description": "A job: poll /api/jobs/{id}"}},
    )
    def create_run(req: RunRequest, mode: ModeQuery = "auto") -> JSONResponse:
        scenario = scenarios.resolve(req.scenario, req.yaml, req.variant)
        check_limits(scenario, req.draws)
        return dispatch(partial(run_one, req, scenario), req.draws, mode)

    @app.post("/api/compare", summary="Two scenarios side by side, and A minus B")
    def compare(req: CompareRequest, mode: ModeQuery = "auto") -> JSONResponse:
        a = scenarios.resolve(req.a.scenario, req.a.yaml, req.a.variant)
        b = scenarios.resolve(req.b.scenario, req.b.yaml, req.b.variant)
        for s in (a, b):
            check_limits(s, req.draws)
        if a.horizon != b.horizon:
            raise EvpactError(
                f"horizons differ: {a.name} {list(a.horizon)}, {b.name} {list(b.horizon)}; "
                "compare scenarios over the same years"
            )
        return dispatch(partial(run_compare, req, a, b), req.draws, mode, runs=3)

    @app.post(
        "/api/stress",
        summary="Cut supply at a stage of the chain: what the deal's world and its "
        "counterfactual lose (as evpact stress)",
        responses={202: {"description": "A job: poll /api/jobs/{id}"}},
    )
    def create_stress(req: StressRequest, mode: ModeQuery = "auto") -> JSONResponse:
        scenario = scenarios.resolve(req.scenario, req.yaml, req.variant)
        check_limits(scenario, req.draws)
        cuts = []
        for i, c in enumerate(req.cuts):
            try:
                cuts.append(parse_cut(f"{c.stage}:{c.country}={c.share!r}"))
            except EvpactError as e:
                raise _renamed(e, f"cuts.{i}") from None
        try:
            check_stress(scenario, cuts, req.weeks, req.year)
        except EvpactError as e:
            raise _renamed(e, str(e.path or "").removeprefix("--")) from None
        runs = 1 if scenario.counterfactual is None else 2
        return dispatch(partial(run_stress, req, scenario, cuts), req.draws, mode, runs=runs)

    @app.post(
        "/api/optimize",
        summary="Search deal terms for the Pareto set (as evpact optimize): always a job",
        responses={202: {"description": "A job: poll /api/jobs/{id}"}},
        status_code=202,
    )
    def create_optimize(req: OptimizeRequest) -> JSONResponse:
        scenario = scenarios.resolve(req.scenario, req.yaml, req.variant)
        check_limits(scenario, req.draws)
        if req.budget > cfg.max_candidates:
            raise EvpactError(
                f"budget: at most {cfg.max_candidates:,} candidates on this server, "
                f"got {req.budget:,}"
            )
        plan, scales = design.build(req, scenario)  # every refusal before a job exists

        def task(progress: Progress) -> dict[str, Any]:
            from ..optimize.search import optimise

            seconds = design.TIME_SHARE * cfg.max_seconds
            found = optimise(plan, scales, req.budget, progress=progress, seconds=seconds)
            return {**design.answer(plan, found, req.budget), **versions()}

        job = jobs.submit(task)
        return JSONResponse(
            {**job.to_json(), **versions()},
            status_code=202,
            headers={"Location": f"/api/jobs/{job.id}"},
        )

    @app.post(
        "/api/zopa",
        summary="The support each draw's firms need and the most Canada can pay while its net "
        "public benefit stays >= 0; whether a zone exists between them (as evpact zopa)",
        responses={202: {"description": "A job: poll /api/jobs/{id}"}},
    )
    def create_zopa(req: ZopaRequest, mode: ModeQuery = "auto") -> JSONResponse:
        scenario = scenarios.resolve(req.scenario, req.yaml, req.variant)
        check_limits(scenario, req.draws)
        if not scenario.firms:  # refused before a job exists
            raise EvpactError(
                f"{scenario.name} declares no firms, so there is no price of the plant to find; "
                "add a firms section (docs/scenario-format.md)"
            )

        def task(progress: Progress) -> dict[str, Any]:
            from ..design.zopa import figure, zopa

            result = zopa(scenario, draws=req.draws, seed=req.seed)
            unit = f"CAD_{scenario.price_year}"
            return {
                "scenario": result.scenario,
                "instrument": list(result.instrument),
                "draws": req.draws,
                "seed": req.seed,
                "unit": unit,
                "summary": clean(result.summary),
                "figure": figure(result, unit),
                **versions(),
            }

        # the ceiling's bisection runs the engine about STEPS + 10 times on the same draws
        return dispatch(task, req.draws, mode, runs=50)

    @app.get("/api/jobs/{job_id}", summary="Status and progress of a background run")
    def get_job(job_id: str) -> dict[str, Any]:
        job = jobs.get(job_id)
        if job is None:
            raise HTTPException(404, f"no job '{job_id}' (jobs are kept while the server runs)")
        return {**job.to_json(), **versions()}

    @app.get("/api/runs", summary="Saved runs, latest first")
    def list_runs(
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        scenario: Annotated[str | None, Query(max_length=200)] = None,
    ) -> dict[str, Any]:
        return {"runs": [r.provenance() for r in store.list(limit, scenario)], **versions()}

    def fetch(run_id: str) -> RunRecord:
        rec = store.get(run_id)
        if rec is None:
            raise HTTPException(404, f"no run '{run_id}'")
        return rec

    @app.get("/api/runs/{run_id}", summary="A saved run: provenance, summary and chart data")
    def get_run(run_id: str) -> dict[str, Any]:
        return run_json(fetch(run_id))

    @app.get(
        "/api/runs/{run_id}/summary.csv",
        summary="A run's metrics as CSV",
        response_class=PlainTextResponse,
    )
    def summary_csv(run_id: str) -> PlainTextResponse:
        rec = fetch(run_id)
        rows = [{"metric": k, **v} for k, v in rec.summary["metrics"].items()]
        columns = ["metric", "kind", "unit", "mean", "p5", "p50", "p95"]
        return _csv(rows, columns, f"{run_id}-summary")

    @app.get(
        "/api/runs/{run_id}/charts/{view}.csv",
        summary="The data behind one chart, as CSV",
        response_class=PlainTextResponse,
    )
    def chart_csv(run_id: str, view: str) -> PlainTextResponse:
        rec = fetch(run_id)
        if view not in rec.charts:
            raise HTTPException(404, f"run has no chart '{view}'; charts: {', '.join(rec.charts)}")
        chart = rec.charts[view]
        return _csv(chart["rows"], chart["columns"], f"{rec.scenario}-{view}")

    @app.get("/api/metrics", summary="Every metric a run reports")
    def metrics() -> dict[str, Any]:
        rows = [
            {"metric": n, "unit": u, "description": d, **_words(n, u)}
            for n, (u, d) in reported_metrics().items()
        ]
        return {"metrics": rows, **versions()}

    @app.get(
        "/api/metrics/{name}/explain",
        summary="Which inputs and equations produce a metric",
    )
    def explain_metric(name: str) -> dict[str, Any]:
        try:
            out = explain(name)
            return {**out, **_words(name, out["unit"]), **versions()}
        except EvpactError as e:
            raise HTTPException(404, str(e)) from None

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if swagger is not None:
        app.mount("/vendor/swagger", StaticFiles(directory=swagger), name="swagger")
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    app.add_middleware(Guard, max_body_bytes=cfg.max_body_bytes)
    return app


def run_json(rec: RunRecord) -> dict[str, Any]:
    base = f"/api/runs/{rec.id}"
    return {
        **rec.provenance(),
        "summary": rec.summary,
        "charts": list(rec.charts.values()),
        "links": {
            "json": base,
            "summary_csv": f"{base}/summary.csv",
            "charts_csv": {k: f"{base}/charts/{k}.csv" for k in rec.charts},
        },
    }


def _words(name: str, unit: str) -> dict[str, str]:
    """A metric's plain label, its unit in words (``C$ 2026``) and its catch, if any."""
    known = LABELS.get(name)
    return {
        "label": label(name),
        "unit_label": unit_text(unit),
        "note": known.note if known else "",
    }


def _renamed(e: EvpactError, path: str) -> EvpactError:
    """The same message, pointing at the request's field rather than the CLI's option."""
    message = str(e).removeprefix(f"{e.path}: ") if e.path else str(e)
    return EvpactError(message, path or None)


def _csv(rows: list[dict[str, Any]], columns: list[str], name: str) -> PlainTextResponse:
    import csv

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return PlainTextResponse(
        buf.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
