"""The outcome of checking one item for one patient and month."""

from __future__ import annotations

from dataclasses import dataclass, replace

from billing.evidence import EvidenceDocument, StaffLink

READY = "ready"
MISSING = "missing"
CONFLICT = "conflict"
_BY_SEVERITY = (READY, MISSING, CONFLICT)

RULE = "rule"
STAFF = "staff"


@dataclass(frozen=True)
class Evidence:
    """A document behind an item, found by a rule or linked by staff.

    ``role`` says what the document proves: guidance, order, measurement,
    contract, removal, ended_contract, management (for add-ons that follow
    the management item) or link (staff).
    """

    doc_id: str
    source: str
    role: str
    reason: str | None = None
    actor: str | None = None
    at: str | None = None

    @classmethod
    def found(cls, doc: EvidenceDocument, role: str) -> Evidence:
        return cls(doc.id, RULE, role)

    @classmethod
    def linked(cls, link: StaffLink) -> Evidence:
        return cls(link.doc_id, STAFF, "link", link.reason, link.actor, link.at)


@dataclass(frozen=True)
class ItemResult:
    """Status, evidence, problems (reasons or warnings) and 摘要 of one item."""

    code: str
    status: str = READY
    evidence: tuple[Evidence, ...] = ()
    problems: tuple[str, ...] = ()
    summary: str = ""

    def with_evidence(self, *evidence: Evidence) -> ItemResult:
        """Add evidence, skipping entries already listed."""
        added = tuple(e for e in dict.fromkeys(evidence) if e not in self.evidence)
        return replace(self, evidence=self.evidence + added)

    def flagged(self, status: str, problem: str) -> ItemResult:
        """Add a problem; the status only ever gets worse (ready < missing < conflict).

        Flagging with READY adds a warning to a ready item.
        """
        worse = max(self.status, status, key=_BY_SEVERITY.index)
        return replace(self, status=worse, problems=self.problems + (problem,))

    @property
    def evidence_ids(self) -> tuple[str, ...]:
        """Document ids, each once, rule findings before staff links."""
        ordered = sorted(self.evidence, key=lambda e: e.source != RULE)
        return tuple(dict.fromkeys(e.doc_id for e in ordered))

    def has_role(self, role: str) -> bool:
        return any(e.role == role for e in self.evidence)
