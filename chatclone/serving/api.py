"""The OpenAI-compatible HTTP API (`chatclone serve`): chat completions, streamed or not, from the loaded personas.

    POST /v1/chat/completions   model = persona name; "stream": true sends server-sent events
    GET  /v1/models             the personas served
    GET  /health                liveness and what is loaded

Any OpenAI client works against it. Errors have OpenAI's shape
(`{"error": {"message", "type", "param", "code"}}`). Generation runs in worker threads, one at a
time per persona; at most `max_waiting` requests wait or generate at once, the rest get 429.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
import uuid
from collections.abc import AsyncIterator
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from chatclone.serving.generation import Completion, Persona


class ApiError(Exception):
    """An error answered with OpenAI's error body."""

    def __init__(self, status: int, message: str, type_: str = "invalid_request_error", param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.type, self.param, self.code = status, message, type_, param, code

    def response(self) -> JSONResponse:
        """This error as a JSONResponse."""
        body = {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}
        return JSONResponse(body, status_code=self.status, headers={"WWW-Authenticate": "Bearer"} if self.status == 401 else None)


class TextPart(BaseModel):
    type: Literal["text"]
    text: str


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[TextPart] | None = None
    name: str | None = None

    def as_turn(self) -> dict:
        """{'role', 'content'} as the persona takes it: text parts joined, `developer` read as `system`, a name as `Name: text`."""
        text = self.content if isinstance(self.content, str) else "".join(p.text for p in self.content or [])
        if self.name and self.role == "user":
            text = f"{self.name}: {text}"
        return {"role": "system" if self.role == "developer" else self.role, "content": text}


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    include_usage: bool = False


class ChatRequest(BaseModel):
    """The fields of OpenAI's chat completion request that mean something here; the others are accepted and ignored."""

    model_config = ConfigDict(extra="ignore")

    model: str
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, gt=0, le=1)
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    stop: str | list[str] | None = None
    n: int = Field(1, ge=1, le=1, description="one choice per request")
    seed: int | None = None

    @field_validator("stop")
    @classmethod
    def _at_most_four(cls, stop):
        if isinstance(stop, list) and len(stop) > 4:
            raise ValueError("at most 4 stop sequences")
        return stop

    def options(self) -> dict:
        """Keyword arguments of Persona.complete for this request's sampling settings."""
        stop = [self.stop] if isinstance(self.stop, str) else (self.stop or [])
        return {"temperature": self.temperature, "top_p": self.top_p, "max_tokens": self.max_completion_tokens or self.max_tokens,
                "stop": stop, "seed": self.seed}


class _Cancelled(Exception):
    """The client went away while its reply was being generated."""


def _validation_error(exc: RequestValidationError) -> ApiError:
    first = exc.errors()[0]
    loc = [str(p) for p in first.get("loc", ()) if p != "body"]
    if first.get("type") == "json_invalid":
        return ApiError(400, "We could not parse the JSON body of your request.")
    param = ".".join(loc) or None
    return ApiError(400, f"Invalid value for '{param}': {first.get('msg', 'invalid')}" if param else first.get("msg", "invalid request"), param=param)


def create_app(personas: dict[str, Persona], api_key: str | None = None, max_waiting: int = 16) -> FastAPI:
    """The FastAPI app serving `personas` (by persona name); `api_key` set: every /v1 request needs `Authorization: Bearer KEY`."""
    app = FastAPI(title="chatclone", docs_url=None, redoc_url=None)
    started = int(time.time())
    waiting = {"n": 0}
    lock = threading.Lock()

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return _validation_error(exc).response()

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        kind = "not_found_error" if exc.status_code == 404 else "invalid_request_error"
        return ApiError(exc.status_code, str(exc.detail), kind).response()

    @app.middleware("http")
    async def _auth(request: Request, call_next):
        if api_key and request.url.path.startswith("/v1/"):
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not secrets.compare_digest(given.strip().encode(), api_key.encode()):
                return ApiError(401, "Incorrect API key provided.", code="invalid_api_key").response()
        return await call_next(request)

    @app.get("/health")
    async def health():
        return {"status": "ok", "personas": sorted(personas), "waiting": waiting["n"]}

    @app.get("/v1/models")
    async def models():
        return {"object": "list", "data": [{"id": name, "object": "model", "created": started, "owned_by": "chatclone"} for name in sorted(personas)]}

    @app.post("/v1/chat/completions")
    async def chat_completions(body: ChatRequest, request: Request):
        persona = personas.get(body.model)
        if persona is None:
            raise ApiError(404, f"The model '{body.model}' does not exist; served: {', '.join(sorted(personas))}", param="model", code="model_not_found")
        turns = [m.as_turn() for m in body.messages]
        if not any(t["role"] == "user" for t in turns) or turns[-1]["role"] != "user":
            raise ApiError(400, "The last message must have role 'user'.", param="messages")
        with lock:
            if waiting["n"] >= max_waiting:
                raise ApiError(429, f"{max_waiting} requests are already waiting; try again shortly.", "rate_limit_error", code="rate_limit_exceeded")
            waiting["n"] += 1
        meta = {"id": f"chatcmpl-{uuid.uuid4().hex}", "created": int(time.time()), "model": body.model}
        if not body.stream:
            try:
                done = await asyncio.to_thread(persona.complete, turns, None, **body.options())
            finally:
                with lock:
                    waiting["n"] -= 1
            return {**meta, "object": "chat.completion", "system_fingerprint": persona.run_name,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": done.text}, "finish_reason": done.finish_reason,
                                 "logprobs": None}],
                    "usage": _usage(done)}
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        return StreamingResponse(_stream(persona, turns, body.options(), meta, include_usage, request, waiting, lock),
                                 media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    return app


def _usage(done: Completion) -> dict:
    return {"prompt_tokens": done.prompt_tokens, "completion_tokens": done.completion_tokens, "total_tokens": done.prompt_tokens + done.completion_tokens}


async def _stream(persona: Persona, turns: list[dict], options: dict, meta: dict, include_usage: bool, request: Request,
                  waiting: dict, lock: threading.Lock) -> AsyncIterator[str]:
    """Server-sent events of one streamed completion: a role chunk, content chunks as they come, the finish chunk, [DONE]."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    gone = threading.Event()

    def on_piece(piece: str) -> None:
        if gone.is_set():
            raise _Cancelled
        loop.call_soon_threadsafe(queue.put_nowait, ("piece", piece))

    def work() -> None:
        try:
            result = ("done", persona.complete(turns, on_piece, **options))
        except _Cancelled:
            result = ("cancelled", None)
        except Exception as e:  # reported to the client in the stream; the server goes on
            result = ("error", e)
        finally:
            with lock:
                waiting["n"] -= 1
        loop.call_soon_threadsafe(queue.put_nowait, result)

    def chunk(delta: dict, finish: str | None = None, **extra) -> str:
        body = {**meta, "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]}
        return f"data: {json.dumps({**body, **extra})}\n\n"

    loop.run_in_executor(None, work)
    try:
        yield chunk({"role": "assistant", "content": ""})
        while True:
            kind, value = await queue.get()
            if kind == "piece":
                yield chunk({"content": value})
            elif kind == "done":
                yield chunk({}, value.finish_reason)
                if include_usage:
                    yield f"data: {json.dumps({**meta, 'object': 'chat.completion.chunk', 'choices': [], 'usage': _usage(value)})}\n\n"
                break
            elif kind == "error":
                yield f"data: {json.dumps({'error': {'message': str(value), 'type': 'server_error', 'param': None, 'code': None}})}\n\n"
                break
            else:
                break
        yield "data: [DONE]\n\n"
    finally:
        gone.set()  # a client that disconnected stops its generation at the next token
