"""Read-only lists for the work pages: documents by page, the review queue, patients,
contracts. Every sort is one of a fixed set of keys (never text from a request);
pages are bounded by the caller (``limit``).

``ListQueries`` is mixed into ``Records``; it only reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, select

from records import schema as t
from records.audit import READ_ACTIONS

# The fields the patient and contract lists read, in one pass over the fields table.
PATIENT_FIELDS = ("patient_id", "patient_name", "document_date", "guidance_date", "contract_start",
                  "contract_end", "removal_date", "device_type", "vendor", "monthly_fee")
# The date that places a document in time, by type, in order of preference.
DATE_FIELDS = {
    "hot_contract": ("contract_start", "document_date"),
    "hot_prescription": ("document_date",),
    "hot_guidance_record": ("guidance_date", "document_date"),
    "hot_device_removal": ("removal_date", "document_date"),
}


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows and how many rows the whole list has."""

    rows: list[dict]
    total: int


def live():
    """Documents not in the trash: every list and check leaves trashed ones out."""
    return t.documents.c.id.not_in(select(t.trash.c.document_id))


def _filled(alias, name: str):
    d = t.documents.c
    return and_(alias.c.document_id == d.id, alias.c.name == name, alias.c.state == "filled")


def _decode(value):
    return None if value is None else json.loads(value)


class ListQueries:
    """Read-only queries behind the list pages (mixed into ``Records``)."""

    # Whitelisted sort keys: key -> function of the joined aliases giving the order columns.
    DOCUMENT_SORTS = ("ingested", "date", "type", "patient")

    def list_documents(self, *, sort: str = "ingested", descending: bool = True, doc_type: str | None = None,
                       department: str | None = None, patient_id: str | None = None, review_only: bool = False,
                       doc_types: tuple[str, ...] | None = None, offset: int = 0, limit: int = 50) -> Page:
        """Documents with their patient, date and count of values awaiting review.

        ``sort`` is one of ``DOCUMENT_SORTS`` (anything else is ingested order);
        documents without the sorted value come last either way. ``review_only``
        keeps documents with values awaiting review."""
        d = t.documents.c
        pid, pname, ddate = (t.fields.alias(n) for n in ("pid", "pname", "ddate"))
        f = t.fields.c
        review = (select(func.count()).select_from(t.fields)
                  .where(f.document_id == d.id, f.state == "review").scalar_subquery())
        joined = (t.documents.outerjoin(pid, _filled(pid, "patient_id"))
                  .outerjoin(pname, _filled(pname, "patient_name"))
                  .outerjoin(ddate, _filled(ddate, "document_date")))
        conditions = [live()]
        if doc_type:
            conditions.append(d.doc_type == doc_type)
        if doc_types is not None:
            conditions.append(d.doc_type.in_(doc_types))
        if department:
            conditions.append(d.department == department)
        if patient_id:
            conditions.append(pid.c.value == json.dumps(patient_id, ensure_ascii=False))
        if review_only:
            conditions.append(exists().where(f.document_id == d.id, f.state == "review"))
        column = {"date": ddate.c.value, "type": d.doc_type, "patient": pid.c.value}.get(sort)
        if sort == "ingested" or column is None:
            order = [d.id.desc() if descending else d.id.asc()]
        else:
            order = [column.is_(None), column.desc() if descending else column.asc(),
                     d.id.desc() if descending else d.id.asc()]
        query = (select(d.id, d.doc_type, d.title, d.department, d.ingested_at, d.flags, d.pages, d.source_name,
                        pid.c.value.label("patient_id"), pname.c.value.label("patient_name"),
                        ddate.c.value.label("document_date"), review.label("review"))
                 .select_from(joined).where(*conditions).order_by(*order).offset(max(0, offset)).limit(max(1, limit)))
        count = select(func.count()).select_from(joined).where(*conditions)
        with self.read() as conn:
            rows = [self._document_row(r) for r in conn.execute(query).mappings()]
            total = conn.execute(count).scalar() or 0
        return Page(rows, total)

    def _document_row(self, r) -> dict:
        from records.store import format_doc_id

        return {"id": format_doc_id(r["id"]), "doc_type": r["doc_type"], "title": r["title"],
                "department": r["department"], "ingested_at": r["ingested_at"], "pages": r["pages"],
                "source_name": r["source_name"], "flags": json.loads(r["flags"] or "[]"),
                "patient_id": None if r["patient_id"] is None else str(json.loads(r["patient_id"])),
                "patient_name": _decode(r["patient_name"]), "document_date": _decode(r["document_date"]),
                "review": r["review"]}

    def review_queue(self, *, doc_type: str | None = None, department: str | None = None,
                     doc_types: tuple[str, ...] | None = None, offset: int = 0, limit: int = 20) -> Page:
        """Documents with values awaiting review, oldest first, each with those values
        (``review_fields``: name, value, confidence, page, source) and its filled values."""
        page = self.list_documents(sort="ingested", descending=False, doc_type=doc_type, department=department,
                                   doc_types=doc_types, review_only=True, offset=offset, limit=limit)
        numbers = [int(row["id"][1:]) for row in page.rows]
        by_number: dict[int, dict] = {n: {"review_fields": {}, "filled": {}} for n in numbers}
        if numbers:
            f = t.fields.c
            with self.read() as conn:
                for r in conn.execute(select(t.fields).where(f.document_id.in_(numbers))
                                      .order_by(f.document_id, f.name)).mappings():
                    slot = "review_fields" if r["state"] == "review" else "filled"
                    by_number[r["document_id"]][slot][r["name"]] = {
                        "value": json.loads(r["value"]), "confidence": r["confidence"], "page": r["page"],
                        "source": r["source"]}
        for row, number in zip(page.rows, numbers):
            row.update(by_number[number])
        return page

    def review_summary(self, doc_types: tuple[str, ...] | None = None) -> dict:
        """How many documents await review and when the oldest of them came in."""
        d, f = t.documents.c, t.fields.c
        conditions = [exists().where(f.document_id == d.id, f.state == "review"), live()]
        if doc_types is not None:
            conditions.append(d.doc_type.in_(doc_types))
        with self.read() as conn:
            count, oldest = conn.execute(select(func.count(), func.min(d.ingested_at)).select_from(t.documents)
                                         .where(*conditions)).one()
        return {"count": count or 0, "oldest": oldest}

    def document_facts(self) -> list[dict]:
        """Every document of a patient with the values the patient and contract lists need:
        ``{"id", "number", "doc_type", "ingested_at", "fields": {name: value}}``, in id order."""
        from records.store import format_doc_id

        d, f = t.documents.c, t.fields.c
        with self.read() as conn:
            docs = {number: {"id": format_doc_id(number), "number": number, "doc_type": doc_type,
                             "ingested_at": at, "fields": {}}
                    for number, doc_type, at in conn.execute(
                        select(d.id, d.doc_type, d.ingested_at).where(d.doc_type != "other", live())
                        .order_by(d.id))}
            for number, name, value in conn.execute(
                    select(f.document_id, f.name, f.value).where(f.state == "filled", f.name.in_(PATIENT_FIELDS))):
                doc = docs.get(number)
                if doc is not None:
                    doc["fields"][name] = json.loads(value)
        return [doc for doc in docs.values() if doc["fields"].get("patient_id") not in (None, "")]

    def patient_documents(self, patient_id: str) -> list:
        """One patient's documents (not in the trash) with their fields, in id order:
        found through the patient id field, never by reading every document."""
        from records.store import _stored

        d, f = t.documents.c, t.fields.c
        with self.read() as conn:
            numbers = select(f.document_id).where(f.name == "patient_id", f.state == "filled",
                                                  f.value == json.dumps(patient_id, ensure_ascii=False))
            docs = [_stored(r) for r in conn.execute(
                select(t.documents).where(d.id.in_(numbers), live()).order_by(d.id)).mappings()]
            by_number = {doc.number: doc for doc in docs}
            for row in conn.execute(select(t.fields).where(f.document_id.in_(list(by_number)))).mappings():
                by_number[row["document_id"]].fields[row["name"]] = {**row, "value": json.loads(row["value"])}
        return docs

    def filled_documents(self) -> list[tuple[str, str, dict]]:
        """Every document as (id, doc_type, filled values), in id order: what the claim
        check reads, without the text, pages or candidates (one pass over two tables)."""
        from records.store import format_doc_id

        d, f = t.documents.c, t.fields.c
        with self.read() as conn:
            docs = {n: (format_doc_id(n), doc_type, {}) for n, doc_type in
                    conn.execute(select(d.id, d.doc_type).where(live()).order_by(d.id))}
            rows = conn.execute(select(f.document_id, f.name, f.value).where(f.state == "filled")
                                .order_by(f.document_id, f.name))
            loads = json.loads
            for number, name, value in rows:
                doc = docs.get(number)
                if doc is not None:
                    doc[2][name] = loads(value)
        return list(docs.values())

    def uploads_by(self, actor: str, limit: int = 20) -> list[dict]:
        """The account's latest uploads queued for the watcher, newest first, each with how
        it ended: ``{"at", "file_name", "state": waiting|stored|quarantined, "doc_ids", "reason"}``."""
        from records.store import format_doc_id

        a, d, q = t.audit.c, t.documents.c, t.quarantine.c
        with self.read() as conn:
            events = conn.execute(select(a.at, a.details).where(a.action == "upload_queued", a.actor == actor)
                                  .order_by(a.seq.desc()).limit(max(1, min(limit, 200)))).all()
            out = []
            for at, details in events:
                details = json.loads(details)
                sha = details.get("sha256")
                ids = [format_doc_id(n) for n in conn.execute(
                    select(d.id).where(d.sha256 == sha).order_by(d.part)).scalars()] if sha else []
                reason = None if ids or not sha else conn.execute(
                    select(q.reason).where(q.sha256 == sha).order_by(q.id.desc()).limit(1)).scalar()
                state = "stored" if ids else "quarantined" if reason else "waiting"
                out.append({"at": at, "file_name": details.get("file_name", ""), "state": state, "doc_ids": ids,
                            "reason": reason})
        return out

    def change_mark(self) -> int:
        """A number that grows with every change (the audit log's last row): cached
        readings of the records are good while it stays the same."""
        a = t.audit.c
        with self.read() as conn:
            # Reads are audited too but change nothing: the last change is what counts.
            return conn.execute(select(a.seq).where(a.action.not_in(READ_ACTIONS))
                                .order_by(a.seq.desc()).limit(1)).scalar() or 0

    def claim_marks(self, month: str) -> dict[tuple[str, str], dict]:
        """The month's claimed marks: (patient id, item) -> row (actor, at)."""
        c = t.claims.c
        with self.read() as conn:
            return {(r["patient_id"], r["item"]): dict(r)
                    for r in conn.execute(select(t.claims).where(c.month == month)).mappings()}


def document_date(doc_type: str, fields: dict) -> str | None:
    """The date that places a document of ``doc_type`` in time (ISO), or None."""
    for name in DATE_FIELDS.get(doc_type, ("document_date",)):
        if fields.get(name):
            return str(fields[name])
    return None
