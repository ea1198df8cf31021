"""``coach serve``: an HTTP/JSON service for contact-center software (extra ``coach-cx[server]``).

Endpoints (OpenAPI schema at ``/openapi.json``, docs at ``/docs``)::

    POST   /v1/sessions                 open a live session            → 201 {"session": id}
    POST   /v1/sessions/{id}/turns      add a turn, get hints          → the per-turn result
    GET    /v1/sessions/{id}/report     the report so far
    GET    /v1/sessions/{id}/state      the session as portable JSON (keep it in your own store)
    POST   /v1/sessions/restore         re-open a session from that JSON
    DELETE /v1/sessions/{id}            close; returns the final report
    POST   /v1/analyze                  one-shot report for a transcript (any JSON format coach reads)
    POST   /v1/clarity                  clarity of a text
    POST   /v1/paraphrase               confirming paraphrases of a customer text
    GET    /healthz                     liveness and open-session count

Sessions expire after ``idle_timeout`` seconds without a request. Bodies over ``max_body`` bytes get
413; malformed JSON 400; wrong types 422; an unknown session 404 — each with ``{"error": message}``.
No endpoint reads or writes files. Work runs inline on the event loop: a turn takes milliseconds, and
one loop means turns of one session can never interleave.
"""

import json
import time
import uuid
from collections import OrderedDict
from typing import Any

from .analyzer import Coach, Session
from .errors import CoachError

try:
    from fastapi import Body, FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import Response
    from pydantic import BaseModel, Field
except ImportError as exc:  # pragma: no cover - depends on the extra
    raise CoachError("coach serve needs the server extra: pip install 'coach-cx[server]'") from exc


class OpenSession(BaseModel):
    id: str | None = Field(None, min_length=1, max_length=200, description="your id for the call; generated when absent")
    metadata: dict[str, Any] = Field(default_factory=dict)


class TurnIn(BaseModel):
    speaker: str = Field(..., min_length=1, max_length=200, description="agent, customer, or a name mapped by roles")
    text: str = Field(..., max_length=100_000)
    start: float | None = Field(None, ge=0, description="seconds from the start of the call")
    end: float | None = Field(None, ge=0)
    final: bool = Field(True, description="false for a partial speech-recognition result")
    roles: dict[str, str] | None = None


class TextIn(BaseModel):
    text: str = Field(..., max_length=100_000)


class ParaphraseIn(TextIn):
    n: int = Field(3, ge=1, le=10)


class RestoreIn(BaseModel):
    state: dict[str, Any]

__all__ = ["SessionStore", "create_app"]


class SessionStore:
    """Open live sessions by id, dropping those idle longer than ``idle_timeout`` seconds."""

    def __init__(self, coach: Coach, *, idle_timeout: float = 900.0, max_sessions: int = 10_000) -> None:
        self.coach = coach
        self.idle_timeout = idle_timeout
        self.max_sessions = max_sessions
        self._sessions: OrderedDict[str, tuple[Session, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._sessions)

    def expire(self, now: float | None = None) -> int:
        """Drop idle sessions; the least recently used come first, so the scan stops early."""
        now = time.monotonic() if now is None else now
        dropped = 0
        while self._sessions:
            sid, (_, used) = next(iter(self._sessions.items()))
            if now - used < self.idle_timeout:
                break
            del self._sessions[sid]
            dropped += 1
        return dropped

    def open(self, session: Session) -> Session:
        self.expire()
        if session.id in self._sessions:
            raise KeyError(session.id)
        if len(self._sessions) >= self.max_sessions:
            raise OverflowError(self.max_sessions)
        self._sessions[session.id] = (session, time.monotonic())
        return session

    def get(self, sid: str) -> Session | None:
        self.expire()
        entry = self._sessions.pop(sid, None)
        if entry is None:
            return None
        self._sessions[sid] = (entry[0], time.monotonic())
        return entry[0]

    def close(self, sid: str) -> Session | None:
        entry = self._sessions.pop(sid, None)
        return entry[0] if entry else None


def _json(content: Any, status: int = 200) -> Response:
    """A JSON response serialised in one ``json.dumps`` (results are plain dicts already: FastAPI's
    generic encoder would walk them again, which costs more than the turn's analysis)."""
    return Response(json.dumps(content, ensure_ascii=False, allow_nan=False), status, media_type="application/json")


def error(status: int, message: str) -> Response:
    return _json({"error": message}, status)


class BodyLimit:
    """ASGI middleware: 413 for a body over ``max_body`` bytes before any handler reads it.

    A declared ``Content-Length`` is checked up front; a chunked body is read up to the limit and
    handed on. Plain ASGI rather than ``@app.middleware``: no extra task and stream per request.
    """

    def __init__(self, app: Any, max_body: int) -> None:
        self.app = app
        self.max_body = max_body
        self._too_large = error(413, f"request body over {max_body} bytes; send one turn or call per request")

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if not length.isdigit():
                await error(400, "invalid Content-Length header")(scope, receive, send)
            elif int(length) > self.max_body:
                await self._too_large(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        if scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body:
                await self._too_large(scope, receive, send)
                return
        sent = False

        async def replay() -> dict:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def create_app(
    *,
    lang: str = "en",
    config: Any = None,
    idle_timeout: float = 900.0,
    max_sessions: int = 10_000,
    max_body: int = 1_000_000,
):
    """The ASGI application (FastAPI). Serve it with ``coach serve`` or any ASGI server."""
    from . import __version__

    # Loaded before the first request, and kept out of the garbage collector's full passes (a
    # 100–200 ms pause each) so they cannot stall a turn.
    coach = Coach(lang, config).warm_up(freeze=True)
    store = SessionStore(coach, idle_timeout=idle_timeout, max_sessions=max_sessions)

    app = FastAPI(title="coach", version=__version__, description=__doc__.split("\n\n")[0])

    app.add_middleware(BodyLimit, max_body=max_body)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        problems = []
        for e in exc.errors():
            if e.get("type") == "json_invalid":
                return error(400, f"malformed JSON: {e.get('ctx', {}).get('error', e.get('msg'))}")
            where = ".".join(str(p) for p in e.get("loc", ()) if p != "body")
            problems.append(f"{where or 'body'}: {e.get('msg')}")
        return error(422, "; ".join(problems) or "invalid request")

    @app.exception_handler(CoachError)
    async def coach_error(request: Request, exc: CoachError):
        return error(422, str(exc))

    def session_or_404(sid: str) -> Session | Response:
        session = store.get(sid)
        if session is None:
            return error(404, f"no open session {sid!r} (closed, expired after {idle_timeout:g} s idle, or never opened)")
        return session

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        store.expire()
        return {"status": "ok", "version": __version__, "sessions": len(store)}

    @app.post("/v1/sessions", status_code=201)
    async def open_session(body: OpenSession | None = Body(None)):  # noqa: B008 - FastAPI's idiom
        body = body or OpenSession()
        sid = body.id or uuid.uuid4().hex
        try:
            store.open(coach.live(id=sid, metadata=body.metadata))
        except KeyError:
            return error(409, f"session {sid!r} is already open")
        except OverflowError:
            return error(503, f"{max_sessions} sessions are open; close some or raise --max-sessions")
        return {"session": sid}

    @app.post("/v1/sessions/restore", status_code=201)
    async def restore_session(body: RestoreIn):
        session = Session.from_dict(coach, body.state)
        try:
            store.open(session)
        except KeyError:
            return error(409, f"session {session.id!r} is already open")
        except OverflowError:
            return error(503, f"{max_sessions} sessions are open; close some or raise --max-sessions")
        return {"session": session.id}

    @app.post("/v1/sessions/{sid}/turns")
    async def add_turn(sid: str, body: TurnIn):
        session = session_or_404(sid)
        if isinstance(session, Response):
            return session
        result = session.add(body.speaker, body.text, body.start, body.end, final=body.final, roles=body.roles)
        return _json(result.to_dict())

    @app.get("/v1/sessions/{sid}/report")
    async def report(sid: str):
        session = session_or_404(sid)
        if isinstance(session, Response):
            return session
        return _json(session.report().to_dict())

    @app.get("/v1/sessions/{sid}/state")
    async def state(sid: str):
        session = session_or_404(sid)
        if isinstance(session, Response):
            return session
        return _json(session.to_dict())

    @app.delete("/v1/sessions/{sid}")
    async def close(sid: str):
        session = store.close(sid)
        if session is None:
            return error(404, f"no open session {sid!r}")
        return _json(session.report().to_dict())

    @app.post("/v1/analyze")
    async def analyze(request: Request):
        try:
            payload = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError) as exc:
            return error(400, f"malformed JSON: {exc}")
        if not isinstance(payload, dict | list):
            return error(422, "body: expected a transcript object or list")
        return _json(coach.analyze(payload).to_dict())

    @app.post("/v1/clarity")
    async def clarity(body: TextIn):
        return _json(coach.clarity(body.text).to_dict())

    @app.post("/v1/paraphrase")
    async def paraphrase(body: ParaphraseIn):
        return _json({"paraphrases": coach.paraphrase(body.text, n=body.n)})

    app.state.store = store
    return app


def serve(host: str = "127.0.0.1", port: int = 8000, **kwargs: Any) -> None:  # pragma: no cover - blocking
    """Run the service with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(**kwargs), host=host, port=port, log_level="info")
