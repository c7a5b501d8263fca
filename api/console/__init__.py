"""The supervisor console and the agent workspace (``/console/workspace``): server-rendered pages
under ``/console`` (Simplified Chinese).

``router`` is mounted by ``api.app.create_app``. Pages use the API's store, auth, review and stats
functions; see docs/console.md.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from . import loop_pages, pages, signin, workspace
from .web import error_page, sign_in_required

router = APIRouter(include_in_schema=False)
router.include_router(signin.router)
router.include_router(workspace.router)
router.include_router(pages.router)
router.include_router(loop_pages.router)


@router.get("/console/{rest:path}", response_class=HTMLResponse)
async def not_found(request: Request, rest: str) -> Response:
    who = await sign_in_required(request)
    if isinstance(who, Response):
        return who
    return error_page(request, 404, "页面不存在", "您访问的页面不存在。", hint="请从上方导航重新进入。")


__all__ = ["router"]
