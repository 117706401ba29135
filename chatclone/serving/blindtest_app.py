"""The blind-test page (`chatclone blindtest`): a held-out prompt, two replies, click the real one.

    GET  /              the page (plain HTML and a little JavaScript, nothing loaded from elsewhere)
    GET  /api/next      the next prompt for this browser: context, two replies with opaque tokens
    POST /api/answer    {"item": TOKEN, "choice": TOKEN} -> whether it was right and the score
    GET  /api/score     this browser's score and everyone's

A browser is a session by a random cookie; there are no accounts. It serves chat logs, so it
answers only requests addressed to a loopback name (no DNS-rebinding reads from other sites) and
the CLI binds it to loopback only.
"""

from __future__ import annotations

import re
import secrets
import socket

import jinja2
from fastapi import Cookie, FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from chatclone.blindtest import AlreadyAnswered, BlindTest, is_loopback, summary
from chatclone.errors import ChatcloneError

COOKIE = "chatclone_blindtest"
_SESSION_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
_TOKEN_RE = r"^[0-9a-f]{32}$"


class Answer(BaseModel):
    """A click: the item's token and the token of the reply picked."""

    item: str = Field(pattern=_TOKEN_RE)
    choice: str = Field(pattern=_TOKEN_RE)


def check_port(host: str, port: int) -> None:
    """Raise ChatcloneError when `port` on `host` cannot be listened on (another server has it)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: a port in TIME_WAIT is free
        try:
            s.bind(address)
        except OSError as e:
            raise ChatcloneError(f"--port {port}: cannot listen on {host}:{port} ({e.strerror}); pick another port") from None


def _host_name(header: str) -> str:
    # "127.0.0.1:8765", "localhost", "[::1]:8765" -> the name without the port
    if header.startswith("["):
        return header[1:].partition("]")[0]
    return header.rpartition(":")[0] if header.count(":") == 1 else header


def _session(cookie: str | None) -> str | None:
    return cookie if cookie and _SESSION_RE.fullmatch(cookie) else None


def _set_session(response: Response, session: str) -> None:
    response.set_cookie(COOKIE, session, max_age=365 * 24 * 3600, httponly=True, samesite="strict", path="/")


def _speaker(role: str, persona_name: str) -> str:
    return persona_name if role == "assistant" else "others"


def create_app(test: BlindTest, persona_name: str = "the person") -> FastAPI:
    """The FastAPI app of blind test `test`; `persona_name` labels the person's own messages in the context shown."""
    app = FastAPI(title="chatclone blind test", docs_url=None, redoc_url=None, openapi_url=None)
    env = jinja2.Environment(loader=jinja2.PackageLoader("chatclone", "templates"), autoescape=True)
    page = env.get_template("blindtest.html")

    def scores(session: str | None) -> dict:
        you = test.session_score(session) if session else {"answers": 0, "correct": 0}
        return {"you": you, "everyone": summary(test.root, test.run)}

    @app.middleware("http")
    async def _guard(request: Request, call_next):
        if not is_loopback(_host_name(request.headers.get("host", ""))):
            return JSONResponse({"detail": "this page answers on loopback names only (127.0.0.1, localhost)"}, status_code=421)
        response = await call_next(request)
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
        return response

    @app.exception_handler(ChatcloneError)
    async def _error(request: Request, exc: ChatcloneError):
        return JSONResponse({"detail": str(exc)}, status_code=409 if isinstance(exc, AlreadyAnswered) else 400)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return JSONResponse({"detail": "expected {\"item\": TOKEN, \"choice\": TOKEN} as JSON; reload the page"}, status_code=400)

    @app.get("/", response_class=HTMLResponse)
    def index(session: str | None = Cookie(None, alias=COOKIE)):
        session = _session(session) or secrets.token_urlsafe(18)
        nonce = secrets.token_urlsafe(16)
        html = page.render(persona=persona_name, run=test.run, total=len(test.items), score=scores(session), nonce=nonce)
        csp = (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; "
               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
        response = HTMLResponse(html, headers={"Content-Security-Policy": csp})
        _set_session(response, session)
        return response

    @app.get("/api/next")
    def next_item(response: Response, session: str | None = Cookie(None, alias=COOKIE)):
        session = _session(session)
        if session is None:
            session = secrets.token_urlsafe(18)
            _set_session(response, session)
        draw = test.next_for(session)
        if draw is None:
            return {"done": True, "answered": len(test.items), "total": len(test.items)}
        return {
            "done": False,
            "item": draw.item_token,
            "context": [{"speaker": _speaker(m["role"], persona_name), "role": m["role"], "text": m["content"]} for m in draw.context],
            "choices": [{"token": c.token, "text": c.text} for c in draw.choices],
            "answered": draw.answered,
            "total": draw.total,
        }

    @app.post("/api/answer")
    def answer(body: Answer, session: str | None = Cookie(None, alias=COOKIE)):
        session = _session(session)
        if session is None:
            raise HTTPException(400, "no session cookie; load the page first")
        verdict = test.answer(session, body.item, body.choice)
        return {"correct": verdict.correct, "score": scores(session)}

    @app.get("/api/score")
    def score(session: str | None = Cookie(None, alias=COOKIE)):
        return scores(_session(session))

    return app
