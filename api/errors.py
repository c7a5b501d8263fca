"""One JSON error body for every 4xx/5xx: ``{"error": {code, message_zh, message_en, details}}``.

Routes raise ``ApiError`` (or any ``agent.errors.WuyeError``); validation errors, unknown
routes and unexpected exceptions are turned into the same body — never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from agent.errors import Conflict, Forbidden, IndexMissing, InvalidInput, ModelError, NotFound, WuyeError

log = logging.getLogger("wuye.api")


class ApiError(WuyeError):
    """A WuyeError with an HTTP status and optional headers."""

    def __init__(self, http_status: int, code: str, zh: str, en: str, *,
                 headers: dict[str, str] | None = None, **details: object) -> None:
        super().__init__(zh, en, code=code, **details)
        self.http_status = http_status
        self.headers = headers


class ErrorDetail(BaseModel):
    code: str = Field(examples=["unauthorized"])
    message_zh: str = Field(examples=["缺少或无效的 API 密钥。"])
    message_en: str = Field(examples=["Missing or unknown API key."])
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorBody(BaseModel):
    error: ErrorDetail


_STATUS_FOR = {Conflict: 409, Forbidden: 403, InvalidInput: 422, NotFound: 404, IndexMissing: 503, ModelError: 502}

_GENERIC = {
    400: ("bad_request", "请求格式不正确。", "The request is malformed."),
    401: ("unauthorized", "缺少或无效的 API 密钥。", "Missing or unknown API key."),
    403: ("forbidden", "当前密钥无权执行此操作。", "This key is not allowed to do that."),
    404: ("not_found", "找不到该资源。", "Not found."),
    405: ("method_not_allowed", "不支持该请求方法。", "Method not allowed."),
    406: ("not_acceptable", "无法提供所需的响应格式。", "Not acceptable."),
    409: ("conflict", "请求与当前状态冲突。", "The request conflicts with the current state."),
    413: ("body_too_large", "请求内容过大。", "The request body is too large."),
    415: ("unsupported_media_type", "请使用 application/json。", "Use application/json."),
    431: ("headers_too_large", "请求头过大。", "The request headers are too large."),
    422: ("invalid_input", "请求内容不符合要求。", "The request is invalid."),
    429: ("rate_limited", "请求过于频繁,请稍后再试。", "Too many requests; retry later."),
}


def error_response(status: int, code: str, zh: str, en: str, details: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": {"code": code, "message_zh": zh, "message_en": en, "details": details or {}}}
    return JSONResponse(body, status_code=status, headers=headers)


def generic_error(status: int, headers: dict[str, str] | None = None, **details: Any) -> JSONResponse:
    code, zh, en = _GENERIC.get(status, ("error", "请求失败。", "The request failed."))
    return error_response(status, code, zh, en, details, headers)


def http_status(exc: WuyeError) -> int:
    """The HTTP status of a typed error: by its class (Conflict 409, Forbidden 403, NotFound 404 …)."""
    return getattr(exc, "http_status", None) or next((s for cls, s in _STATUS_FOR.items() if isinstance(exc, cls)), 422)


def _wuye(exc: WuyeError) -> JSONResponse:
    headers = getattr(exc, "headers", None)
    if "retry_after_seconds" in exc.details and headers is None:
        headers = {"Retry-After": str(exc.details["retry_after_seconds"])}
    return error_response(http_status(exc), exc.code, exc.zh, exc.en, dict(exc.details), headers)


_FIELD_ZH = {
    "missing": "缺少必填字段", "extra_forbidden": "不允许的字段", "string_too_short": "内容不能为空或过短",
    "string_too_long": "内容过长", "json_invalid": "不是有效的 JSON(或编码不是 UTF-8)",
    "literal_error": "取值不在允许范围内", "enum": "取值不在允许范围内", "string_type": "应为字符串",
    "model_attributes_type": "应为 JSON 对象", "dict_type": "应为 JSON 对象", "list_type": "应为数组",
    "int_parsing": "应为整数", "bool_parsing": "应为布尔值", "datetime_from_date_parsing": "日期格式不正确",
    "datetime_parsing": "日期时间格式不正确", "greater_than_equal": "数值过小", "less_than_equal": "数值过大",
    "value_error": "取值不正确", "string_pattern_mismatch": "格式不正确",
}


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for err in errors[:20]:
        kind = str(err.get("type", "value_error"))
        loc = [str(p) for p in err.get("loc", ())]
        msg = str(err.get("msg", ""))
        zh = _FIELD_ZH.get(kind, "取值不正确")
        if kind == "value_error" and "/" in msg:  # our own bilingual validator messages
            zh, msg = (part.strip() for part in msg.removeprefix("Value error, ").split("/", 1))
        out.append({"field": ".".join(loc), "type": kind, "message_zh": zh, "message_en": msg})
    return out


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(WuyeError)
    async def _on_wuye(_: Request, exc: WuyeError) -> JSONResponse:
        return _wuye(exc)

    @app.exception_handler(RequestValidationError)
    async def _on_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        items = validation_details(list(exc.errors()))
        first = items[0] if items else {"field": "", "message_zh": "请求内容不正确", "message_en": "invalid"}
        where = f"({first['field']})" if first["field"] else ""
        return error_response(
            422, "invalid_input", f"请求内容不符合要求{where}:{first['message_zh']}。",
            f"Invalid request {first['field']}: {first['message_en']}".strip(), {"errors": items},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _on_http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return generic_error(exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _on_crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "服务内部错误,请稍后重试或联系管理员。",
                              "Internal error; retry later or contact the administrator.")


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: the error codes it can return, all with ErrorBody."""
    return {s: {"model": ErrorBody, "description": _GENERIC.get(s, ("", "", "error"))[2]} for s in statuses}
