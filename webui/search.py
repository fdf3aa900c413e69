"""The search page: one box, filters, a sort order, highlighted hits, pages of results."""

from __future__ import annotations

import unicodedata

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from search import QueryLimits
from kernel.errors import QueryTooLong
from records.audit import Searched
from webui.auth import log_read, requires
from webui.documents import MONTH
from webui.security import services

bp = Blueprint("search", __name__)

SORTS = {"relevance": "関連度順", "date": "日付順"}  # the index's sort orders, as the page names them


def index():
    """``/``: the search page."""
    return redirect(url_for("search.search"))


@bp.route("/search")
@requires("search")
def search():
    """Hits for ``q`` (every word must match) with the type, patient, department and month filters,
    best first or newest first (``sort``), a page at a time."""
    form = {
        "q": request.args.get("q", "").strip(),
        "type": request.args.get("type", ""),
        "patient": unicodedata.normalize("NFKC", request.args.get("patient", "")).strip(),
        "department": request.args.get("department", ""),
        "month": request.args.get("month", "").strip(),
    }
    problems = []
    if form["month"] and not MONTH.fullmatch(form["month"]):
        problems.append("月は 2026-10 の形で入力してください。")
        form["month"] = ""
    if form["patient"] and not (form["patient"].isascii() and form["patient"].isdigit()):
        problems.append("患者IDは数字で入力してください。")
        form["patient"] = ""
    sort = request.args.get("sort", "relevance")
    if sort not in SORTS:
        sort = "relevance"
    page = max(1, request.args.get("page", 1, type=int) or 1)
    per_page = current_app.config["RESULTS_PER_PAGE"]
    results = None
    config = services().config
    limits = QueryLimits(max_chars=config.search_max_chars, seconds=float(config.search_seconds))
    if any(form.values()):
        try:
            results = services().index.search(
                form["q"], limit=per_page, offset=(page - 1) * per_page, doc_type=form["type"] or None,
                patient_id=form["patient"] or None, department=form["department"] or None,
                month=form["month"] or None, limits=limits, sort=sort,
            )
        except QueryTooLong as e:
            problems.append(str(e))
        filters = {name: form[name] for name in ("type", "patient", "department", "month") if form[name]}
        log_read(Searched, query=form["q"], filters=filters, total=results.total if results else 0)
    pages = -(-results.total // per_page) if results else 0
    departments = [role for role in services().permissions.roles if role != "admin"]
    query_args = {name: value for name, value in form.items() if value}  # for the pager's links
    if sort != "relevance":
        query_args["sort"] = sort
    return render_template("search.html", form=form, sort=sort, sorts=SORTS, query_args=query_args,
                           results=results, page=page,
                           pages=pages, problems=problems, departments=departments, max_chars=limits.max_chars)
