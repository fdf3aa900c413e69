"""Evidence rules, the checks across items, staff links and the month report."""

import json
from datetime import date, datetime

import pytest

from billing import ClaimMark, EvidenceDocument, Month, StaffLink, check_month
from billing.evidence import PatientFile
from billing.rules import check_device, check_management
from kernel.errors import ConfigError

P = "00123456"
MONTH = "2026-10"


def contract(doc_id, device="concentrator", start="2026-04-01", end=None, patient=P, name="山田 太郎", dated=None):
    fields = {"patient_id": patient, "patient_name": name, "device_type": device, "vendor": "チェスト"}
    if dated:
        fields["document_date"] = dated
    if start:
        fields["contract_start"] = start
    if end:
        fields["contract_end"] = end
    return EvidenceDocument(doc_id, "hot_contract", fields)


def order(doc_id, dated="2026-04-01", device="concentrator", patient=P):
    fields = {"patient_id": patient, "document_date": dated, "device_type": device}
    return EvidenceDocument(doc_id, "hot_prescription", fields)


def guidance(doc_id, given="2026-10-14", measured="2026-10-14", spo2=88, pao2=None, patient=P):
    fields = {"patient_id": patient, "guidance_date": given, "document_date": given}
    for key, value in (("measurement_date", measured), ("spo2", spo2), ("pao2", pao2)):
        if value is not None:
            fields[key] = value
    return EvidenceDocument(doc_id, "hot_guidance_record", fields)


def removal(doc_id, removed, device="concentrator", patient=P):
    fields = {"patient_id": patient, "removal_date": removed, "device_type": device}
    return EvidenceDocument(doc_id, "hot_device_removal", fields)


def link(doc_id, item, reason=None, month=MONTH, patient=P):
    return StaffLink(doc_id, patient, item, month, reason, actor="鈴木", at="2026-11-02T10:00:00+09:00")


def mark(item, month, patient=P):
    return ClaimMark(patient, item, month, actor="鈴木", at=f"{month}-28T17:00:00+09:00")


# Guidance and measurement in the month and an order on file: C103-2 is ready.
MANAGED = (guidance("G1"), order("O1"))
# Guidance in the month that records no measurement.
UNMEASURED = guidance("G1", measured=None, spo2=None)
# A measurement on the last day of the month before.
MEASURED_IN_SEPTEMBER = guidance("G0", given="2026-09-12", measured="2026-09-30", spo2=90)


def items(report, patient=P):
    """The patient's items as contract dicts, keyed by item code."""
    for entry in report.to_dict()["patients"]:
        if entry["patient_id"] == patient:
            return {item["item"]: item for item in entry["items"]}
    return None


def check(documents, links=(), claims=(), catalogue=None, month=MONTH):
    return items(check_month(month, documents, links, claims, catalogue=catalogue))


# --- reading field values ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-10-14", date(2026, 10, 14)),
        (date(2026, 10, 14), date(2026, 10, 14)),
        (datetime(2026, 10, 14, 9, 30), date(2026, 10, 14)),
        ("令和8年10月14日", None),
        ("2026-02-30", None),
        (20261014, None),
        (None, None),
    ],
)
def test_date_field(value, expected):
    assert EvidenceDocument("D1", "hot_guidance_record", {"guidance_date": value}).date_field("guidance_date") == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(88, 88), (52.4, 52.4), ("88", 88.0), (True, None), ("未測定", None), (None, None)]
)
def test_number_field(value, expected):
    assert EvidenceDocument("D1", "hot_guidance_record", {"spo2": value}).number_field("spo2") == expected


# --- C103-2: guidance, order, measurement -------------------------------------------------


@pytest.mark.parametrize(
    ("documents", "status", "problem", "summary"),
    [
        pytest.param(MANAGED, "ready", None, "SpO2 88%（R8.10.14）", id="all in the month"),
        pytest.param(
            (guidance("G1", given="2026-10-31", measured="2026-10-31"), order("O1", dated="2026-10-31")),
            "ready", None, "SpO2 88%（R8.10.31）", id="guidance and order on the last day",
        ),
        pytest.param(
            (guidance("G1", given="2026-09-30"), order("O1")),
            "missing", "2026-10 の指導記録", None, id="guidance on the last day of the previous month",
        ),
        pytest.param(
            (guidance("G1", given="2026-11-01", measured="2026-11-01"), order("O1")),
            "missing", "2026-10 の指導記録", None, id="guidance in the next month",
        ),
        pytest.param((guidance("G1"),), "missing", "指示書", "SpO2 88%（R8.10.14）", id="no order"),
        pytest.param(
            (guidance("G1"), order("O1", dated="2026-11-01")), "missing", "指示書", None, id="order after the month"
        ),
        pytest.param(
            (UNMEASURED, MEASURED_IN_SEPTEMBER, order("O1")), "ready", "SpO2 90%（R8.9.30）", "SpO2 90%（R8.9.30）",
            id="measurement on the last day of the previous month",
        ),
        pytest.param((UNMEASURED, order("O1")), "missing", "SpO2/PaO2", "", id="no measurement"),
        pytest.param(
            (guidance("G1", measured=None), order("O1")), "missing", "SpO2/PaO2", "", id="value without its date"
        ),
        pytest.param(
            (guidance("G1", measured="2026-11-02"), order("O1")), "missing", "SpO2/PaO2", "",
            id="measured after the month",
        ),
        pytest.param(
            (guidance("G1", spo2=None, pao2=55.0), order("O1")), "ready", None, "PaO2 55Torr（R8.10.14）", id="PaO2 only"
        ),
        pytest.param(
            (
                guidance("G1", measured="2026-10-03", spo2=91),
                guidance("G2", given="2026-10-20", measured="2026-10-20", spo2=86),
                order("O1"),
            ),
            "ready", None, "SpO2 86%（R8.10.20）", id="latest of two measurements",
        ),
    ],
)
def test_management_rule(catalogue, documents, status, problem, summary):
    item = catalogue.revision_for(MONTH).item("C103-2")
    result = check_management(item, PatientFile(P, documents), Month.parse(MONTH))
    assert result.status == status
    if problem is None:
        assert result.problems == ()
    else:
        assert any(problem in text for text in result.problems), result.problems
    if summary is not None:
        assert result.summary == summary


def test_management_evidence_lists_guidance_order_and_measurement_record(catalogue):
    item = check((UNMEASURED, MEASURED_IN_SEPTEMBER, order("O1")), catalogue=catalogue)["C103-2"]
    assert item["evidence"] == ["G1", "O1", "G0"]
    assert [s["role"] for s in item["evidence_sources"]] == ["guidance", "order", "measurement"]


# --- device add-ons: the contract is the evidence of supply --------------------------------


@pytest.mark.parametrize(
    ("documents", "status", "evidence", "problem"),
    [
        pytest.param((contract("K1"),), "ready", {"K1"}, None, id="open-ended contract"),
        pytest.param((contract("K1", end="2027-03-31"),), "ready", {"K1"}, None, id="contract ending later"),
        pytest.param((contract("K1", end="2026-10-01"),), "ready", {"K1"}, None, id="contract ending on the first day"),
        pytest.param(
            (contract("K1", start="2026-10-31"),), "ready", {"K1"}, None, id="contract starting on the last day"
        ),
        pytest.param(
            (contract("K1", start="2025-10-01", end="2026-09-30"),), "missing", {"K1"}, "2026-09-30 に終了",
            id="contract ending on the last day of the previous month",
        ),
        pytest.param(
            (contract("K1", start="2026-11-01"),), "missing", set(), "契約がありません", id="contract starting next month"
        ),
        pytest.param(
            (contract("K1", device="liquid_stationary"),), "missing", set(), "酸素濃縮装置の契約がありません",
            id="other device",
        ),
        pytest.param((order("O1", dated="2026-10-05"),), "missing", {"O1"}, "契約書がありません", id="order alone"),
        pytest.param((contract("K1", start=None),), "missing", {"K1"}, "契約開始日", id="contract without a start date"),
        pytest.param((), "missing", set(), "契約がありません", id="nothing on file"),
        pytest.param(
            (contract("K1"), removal("R1", "2026-10-01")), "ready", {"K1", "R1"}, "2026-10-01 に酸素濃縮装置が撤去",
            id="removal on the first day",
        ),
        pytest.param(
            (contract("K1"), removal("R1", "2026-10-15")), "ready", {"K1", "R1"}, "2026-10-15 に酸素濃縮装置が撤去",
            id="removal in the middle of the month",
        ),
        pytest.param(
            (contract("K1"), removal("R1", "2026-09-20")), "conflict", {"K1", "R1"}, "契約の終了を確認",
            id="removal before the month, contract still open",
        ),
        pytest.param(
            (contract("K1"), removal("R1", "2026-03-10")), "ready", {"K1"}, None, id="removal before the contract began"
        ),
        pytest.param(
            (contract("K1"), removal("R1", "2026-11-05")), "ready", {"K1"}, None, id="removal after the month"
        ),
        pytest.param(
            (contract("K1"), removal("R1", "2026-09-20", device="liquid_portable")), "ready", {"K1"}, None,
            id="removal of another device",
        ),
    ],
)
def test_device_rule(catalogue, documents, status, evidence, problem):
    item = catalogue.revision_for(MONTH).item("C158")
    result = check_device(item, PatientFile(P, documents), Month.parse(MONTH), "酸素濃縮装置")
    assert result.status == status
    assert set(result.evidence_ids) == evidence
    if problem is None:
        assert result.problems == ()
    else:
        assert any(problem in text for text in result.problems), result.problems


@pytest.mark.parametrize(
    ("documents", "status", "problem"),
    [
        pytest.param(MANAGED + (contract("K1"),), "ready", None, id="management ready"),
        pytest.param((contract("K1"), order("O1")), "missing", "C103-2 が準備完了でない", id="no guidance"),
        pytest.param(
            (guidance("G1", measured=None, spo2=None), order("O1"), contract("K1")), "missing", "C103-2",
            id="no measurement",
        ),
    ],
)
def test_device_follows_management(catalogue, documents, status, problem):
    item = check(documents, catalogue=catalogue)["C158"]
    assert item["status"] == status
    assert problem is None or any(problem in text for text in item["problems"])


@pytest.mark.parametrize(
    ("devices", "expected"),
    [
        pytest.param(("concentrator",), {"C158": "ready"}, id="one stationary"),
        pytest.param(
            ("concentrator", "liquid_stationary"), {"C158": "conflict", "C159-1": "conflict"}, id="two stationary"
        ),
        pytest.param(
            ("cylinder", "concentrator"), {"C157-2": "conflict", "C158": "conflict"}, id="cylinder and concentrator"
        ),
        pytest.param(
            ("cylinder_portable", "liquid_portable"), {"C157-1": "conflict", "C159-2": "conflict"}, id="two portable"
        ),
        pytest.param(
            ("concentrator", "cylinder_portable", "demand_valve"),
            {"C158": "ready", "C157-1": "ready", "C159-2-valve": "ready"},
            id="one of each group",
        ),
    ],
)
def test_one_device_per_group_a_month(catalogue, devices, expected):
    documents = MANAGED + tuple(contract(f"K{n}", device=device) for n, device in enumerate(devices))
    found = check(documents, catalogue=catalogue)
    assert {code: found[code]["status"] for code in expected} == expected
    for code, status in expected.items():
        assert (status == "conflict") == any("複数" in text for text in found[code]["problems"])


def test_two_stationary_devices_conflict_even_before_management_is_ready(catalogue):
    documents = (contract("K1"), contract("K2", device="liquid_stationary"))
    found = check(documents, catalogue=catalogue)
    assert found["C158"]["status"] == found["C159-1"]["status"] == "conflict"


@pytest.mark.parametrize(
    ("claims", "status"),
    [
        pytest.param((), "ready", id="first claim"),
        pytest.param((mark("C158", "2026-08"), mark("C158", "2026-09")), "ready", id="third in three months"),
        pytest.param(
            (mark("C158", "2026-08"), mark("C158", "2026-09"), mark("C159-1", "2026-09")), "conflict",
            id="fourth claim in three months",
        ),
        pytest.param(
            (mark("C158", "2026-07"), mark("C158", "2026-08"), mark("C158", "2026-09")), "ready",
            id="the month before the window does not count",
        ),
        pytest.param(
            (mark("C158", "2026-08"), mark("C158", "2026-09"), mark("C158", "2026-10")), "ready",
            id="this month already marked counts once",
        ),
        pytest.param(
            (mark("C158", "2026-08"), mark("C158", "2026-09"), mark("C158", "2026-09")), "ready",
            id="a mark given twice counts once",
        ),
        pytest.param(
            (mark("C158", "2026-08"), mark("C158", "2026-09"), mark("C157-1", "2026-09"), mark("C157-1", "2026-08")),
            "ready", id="other groups do not count",
        ),
    ],
)
def test_three_claims_in_three_months(catalogue, claims, status):
    item = check(MANAGED + (contract("K1"),), claims=claims, catalogue=catalogue)["C158"]
    assert item["status"] == status
    assert (status == "conflict") == any("4回" in text for text in item["problems"]), item["problems"]


def test_claim_marks_show_as_claimed(catalogue):
    found = check(MANAGED + (contract("K1"),), claims=(mark("C158", MONTH),), catalogue=catalogue)
    assert found["C158"]["claimed"] is True
    assert found["C103-2"]["claimed"] is False


def test_claimed_item_without_evidence_is_reported_missing(catalogue):
    found = check(MANAGED, claims=(mark("C157-1", MONTH),), catalogue=catalogue)
    assert found["C157-1"]["status"] == "missing"


# --- C171 and C103-1 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("documents", "status"),
    [
        pytest.param(MANAGED, "ready", id="with C103-2"),
        pytest.param((order("O1", dated="2026-10-02"),), "missing", id="C103-2 missing"),
    ],
)
def test_materials_follow_the_management_item(catalogue, documents, status):
    found = check(documents, catalogue=catalogue)
    assert found["C171-2"]["status"] == status
    assert found["C171-2"]["evidence"] == found["C103-2"]["evidence"]
    assert "C171-1" not in found


@pytest.mark.parametrize("device", ["concentrator", "cylinder_portable", "liquid_stationary", "demand_valve"])
def test_cyanotic_heart_disease_patient_cannot_get_device_add_ons(catalogue, device):
    documents = MANAGED + (contract("K1", device=device),)
    found = check(documents, links=(link("G1", "C103-1"),), catalogue=catalogue)
    assert found["C103-1"]["status"] == "ready"
    assert found["C171-1"]["status"] == "ready"
    assert "C103-2" not in found and "C171-2" not in found
    (device_item,) = [entry for code, entry in found.items() if code.startswith(("C157", "C158", "C159"))]
    assert device_item["status"] == "conflict"
    assert any("C103-1" in text for text in device_item["problems"])


def test_cyanotic_heart_disease_patient_needs_no_measurement(catalogue):
    documents = (guidance("G1", measured=None, spo2=None), order("O1"))
    found = check(documents, links=(link("G1", "C103-1"),), catalogue=catalogue)
    assert found["C103-1"]["status"] == "ready"


# --- staff links ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("documents", "links", "status", "problem"),
    [
        pytest.param(
            MANAGED, (link("X9", "C158", reason="業者からの設置報告書で確認"),), "ready", "職員の紐付け",
            id="reasoned link fills a missing contract",
        ),
        pytest.param(MANAGED, (link("X9", "C158"),), "missing", "理由の記載がない", id="link without a reason"),
        pytest.param(MANAGED, (link("X9", "C158", reason="  "),), "missing", "理由の記載がない", id="blank reason"),
        pytest.param(
            MANAGED + (contract("K1"), removal("R1", "2026-09-20")), (link("X9", "C158", reason="継続使用"),),
            "conflict", "契約の終了を確認", id="a link never overrides a conflict",
        ),
        pytest.param(
            (order("O1"),), (link("X9", "C158", reason="確認済み"),), "missing", "C103-2 が準備完了でない",
            id="a link does not lift the management requirement",
        ),
        pytest.param(MANAGED + (contract("K1"),), (link("X9", "C158"),), "ready", None, id="link beside a ready rule"),
    ],
)
def test_staff_links_on_a_device(catalogue, documents, links, status, problem):
    item = check(documents, links=links, catalogue=catalogue)["C158"]
    assert item["status"] == status
    assert "X9" in item["evidence"]
    assert problem is None or any(problem in text for text in item["problems"]), item["problems"]


def test_staff_and_rule_evidence_are_told_apart(catalogue):
    links = (link("X9", "C158", reason="設置報告書"), link("K1", "C158"))
    item = check(MANAGED + (contract("K1"),), links=links, catalogue=catalogue)["C158"]
    assert item["evidence"] == ["K1", "X9"]
    sources = [(s["id"], s["source"]) for s in item["evidence_sources"]]
    assert sources == [("K1", "rule"), ("X9", "staff"), ("K1", "staff")]
    staff = item["evidence_sources"][1]
    assert (staff["reason"], staff["actor"], staff["at"]) == ("設置報告書", "鈴木", "2026-11-02T10:00:00+09:00")


def test_reasoned_link_makes_management_ready_and_its_add_ons_follow(catalogue):
    documents = (guidance("G1", measured=None, spo2=None), order("O1"), contract("K1"))
    found = check(documents, links=(link("L1", "C103-2", reason="測定値は紹介状に記載"),), catalogue=catalogue)
    assert found["C103-2"]["status"] == "ready"
    assert any("SpO2/PaO2" in text for text in found["C103-2"]["problems"])
    assert found["C158"]["status"] == found["C171-2"]["status"] == "ready"


@pytest.mark.parametrize(
    ("documents", "reason", "month", "status"),
    [
        pytest.param(MANAGED, "遠隔モニタリング記録あり", MONTH, "ready", id="reasoned link, visit this month"),
        pytest.param(MANAGED, None, MONTH, "missing", id="link without a reason"),
        pytest.param((order("O1"),), "記録あり", MONTH, "missing", id="no face-to-face month"),
        pytest.param(
            (guidance("G1", given="2017-05-10", measured="2017-05-10"), order("O1", dated="2017-01-01")),
            "記録あり", "2017-05", "conflict", id="before the item existed",
        ),
    ],
)
def test_remote_monitoring_needs_a_reasoned_link(catalogue, documents, reason, month, status):
    links = (link("X5", "C103-remote", reason=reason, month=month),)
    found = check(documents, links=links, catalogue=catalogue, month=month)
    assert found["C103-remote"]["status"] == status


def test_remote_monitoring_without_a_link_is_left_out(catalogue):
    assert "C103-remote" not in check(MANAGED, catalogue=catalogue)


# --- the month report ----------------------------------------------------------------------


def test_revision_boundary_prices_the_month(catalogue):
    def priced(month):
        documents = (
            guidance("G1", given=f"{month}-10", measured=f"{month}-10"),
            order("O1", dated="2024-01-10"),
            contract("K1", start="2024-01-01", device="demand_valve"),
        )
        found = check(documents, catalogue=catalogue, month=month)
        return found["C103-2"]["points"], found["C159-2-valve"]["points"]

    assert priced("2024-05") == (2500, 300)
    assert priced("2024-06") == (2400, 291)


def test_patients_in_the_report(catalogue):
    documents = (
        guidance("G1", patient="00000003"),
        contract("K2", patient="00000001", start="2025-01-01"),
        contract("K3", patient="00000002", start="2025-01-01", end="2026-09-30"),
        removal("R4", "2026-10-03", patient="00000004"),
        order("O5", dated="2026-10-20", patient="00000005"),
        guidance("G6", given="2026-09-14", measured="2026-09-14", patient="00000006"),
        contract("K7", patient="00000007", start="2025-01-01", end="2026-08-31"),
        EvidenceDocument("D8", "other", {"patient_id": "00000008", "document_date": "2026-10-01"}),
        EvidenceDocument("D9", "hot_guidance_record", {"guidance_date": "2026-10-01"}),
    )
    links = (link("D8", "C158", patient="00000009"), link("D8", "C158", patient="00000010", month="2026-09"))
    report = check_month(MONTH, documents, links, catalogue=catalogue).to_dict()
    assert [p["patient_id"] for p in report["patients"]] == [
        "00000001", "00000002", "00000003", "00000004", "00000005", "00000009",
    ]


@pytest.mark.parametrize("newest_first", [True, False])
def test_patient_name_comes_from_the_latest_document(catalogue, newest_first):
    older = contract("A", name="山田 大郎", dated="2026-01-05")
    newer = contract("B", name="山田 太郎", dated="2026-03-30")
    documents = (newer, older) if newest_first else (older, newer)
    (patient,) = check_month(MONTH, documents, catalogue=catalogue).to_dict()["patients"]
    assert patient["patient_name"] == "山田 太郎"


def test_patient_without_a_name_on_file_has_null_name(catalogue):
    (patient,) = check_month(MONTH, MANAGED, catalogue=catalogue).to_dict()["patients"]
    assert patient["patient_name"] is None


def test_json_shape_follows_the_contract(catalogue):
    documents = MANAGED + (contract("K1", name="山田 太郎"), contract("K2", device="cylinder_portable", start="2026-11-01"))
    report = check_month(MONTH, documents, catalogue=catalogue)
    data = json.loads(report.to_json())
    assert data == report.to_dict()
    assert set(data) == {"month", "patients"} and data["month"] == MONTH
    (patient,) = data["patients"]
    assert set(patient) == {"patient_id", "patient_name", "items"}
    assert patient["patient_id"] == P and patient["patient_name"] == "山田 太郎"
    assert [item["item"] for item in patient["items"]] == ["C103-2", "C158", "C171-2"]
    for item in patient["items"]:
        assert {"item", "status", "evidence", "problems"} <= set(item)
        assert item["status"] in {"ready", "missing", "conflict"}
        assert all(isinstance(doc_id, str) for doc_id in item["evidence"])
        assert all(isinstance(problem, str) for problem in item["problems"])
    c103 = patient["items"][0]
    assert (c103["status"], c103["evidence"], c103["problems"]) == ("ready", ["G1", "O1"], [])
    assert (c103["points"], c103["summary"]) == (2400, "SpO2 88%（R8.10.14）")
    assert "山田" in report.to_json() and "\\u" not in report.to_json()


def test_empty_month_has_no_patients(catalogue):
    assert check_month(MONTH, (), catalogue=catalogue).to_dict() == {"month": MONTH, "patients": []}


@pytest.mark.parametrize(("month", "error"), [("2026-13", ValueError), ("2015-10", ConfigError)])
def test_bad_month(catalogue, month, error):
    with pytest.raises(error):
        check_month(month, MANAGED, catalogue=catalogue)
