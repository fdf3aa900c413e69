"""Error pages in Japanese."""

from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

_TITLES = {
    400: "送信内容に問題があります",
    401: "サインインが必要です",
    403: "この操作の権限がありません",
    404: "見つかりません",
    405: "この操作はできません",
    413: "ファイルが大きすぎます",
}


def _handle(error: HTTPException):
    code = error.code or 500
    if code == 401 or request.method == "HEAD":
        return error  # file routes: no page for a signed-out request
    title = _TITLES.get(code, "エラーが発生しました")
    description = error.description if _is_ours(error) else ""
    return render_template("error.html", code=code, title=title, description=description), code


def _is_ours(error: HTTPException) -> bool:
    # Werkzeug's default descriptions are English; ours (passed to abort) are Japanese.
    return bool(error.description) and error.description != type(error).description


def init_app(app: Flask) -> None:
    """Render every HTTP error with the site's layout."""
    app.register_error_handler(HTTPException, _handle)
