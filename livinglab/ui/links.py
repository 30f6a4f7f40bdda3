"""Any address that carries a survey token opens the survey: an ASGI middleware sends
``/a/b?invitation=...`` (a link pasted with a stray path) to ``/?invitation=...``.

Streamlit serves its page shell at every address, but its scripts are fetched relative
to the address, so under two path segments (``/survey/foo``) they are not found and the
page stays blank; one segment is handled by the navigation (:mod:`livinglab.ui.navigation`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from starlette.responses import RedirectResponse

TOKEN_PARAM = "invitation"


class InvitationRedirect:
    """Redirect (307) a GET of a nested address with ``?invitation=`` to the root, with
    the same query (the token and ``lang``); every other request passes unchanged."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path = scope["path"].strip("/")
            query = scope.get("query_string", b"").decode("latin-1")
            if "/" in path and TOKEN_PARAM in parse_qs(query):
                response = RedirectResponse(f"/?{query}", status_code=307)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
