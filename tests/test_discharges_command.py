"""``shoko discharges import`` and ``shoko homereturn`` (issue 16), the real command on a
fresh data directory: Shift_JIS and UTF-8 files, a bad row, importing twice, the JSON shape."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from shoko.services import Services
from shoko.settings import load_config

SHOKO = str(Path(sys.executable).with_name("shoko"))
HEADER = "患者ID,病棟,退院日,区分,退院先,死亡,再入院通算,短期滞在手術,在宅復帰機能強化加算"
ROWS = [
    "00100001,4階東,2026-04-01,退院,自宅,0,0,0,0",
    "00100002,4階東,2026/05/12,退院,特別養護老人ホーム,0,0,0,0",
    "00100003,4階東,2026-06-03,退院,○○病院,0,0,0,0",
    "00100004,4階東,2026-07-04,退院,介護老人保健施設,0,0,0,1",
    "00100005,4階東,2026-08-05,退院,,1,0,0,0",
    "00100006,4階東,2026-09-30,転棟,3階療養病棟,0,0,0,0",
    "00100007,5階西,2026-09-01,退院,有床診療所,0,0,0,0",
    "00100008,4階東,2026-10-01,退院,自宅,0,0,0,0",
]


def shoko(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([SHOKO, "--data-dir", str(data_dir), *args], capture_output=True, text=True, timeout=120)


def write_csv(path: Path, rows: list[str], encoding: str = "utf-8", newline: str = "\r\n") -> Path:
    path.write_bytes(newline.join([HEADER, *rows, ""]).encode(encoding))
    return path


def stored(data_dir: Path) -> list[dict]:
    services = Services(load_config(data_dir=str(data_dir)))
    try:
        return services.records.discharges()
    finally:
        services.records.engine.dispose()


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig", "utf-8"])
def test_import_shift_jis_and_utf8_with_and_without_bom(tmp_path, encoding):
    data = tmp_path / "data"
    out = shoko(data, "discharges", "import", str(write_csv(tmp_path / "退院.csv", ROWS, encoding)), "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["imported"] is True and result["rows"] == 8 and result["added"] == 8 and result["errors"] == []
    assert result["encoding"] == {"cp932": "shift_jis"}.get(encoding, encoding)
    rows = stored(data)
    assert [r["patient_id"] for r in rows][:2] == ["00100001", "00100002"]
    assert {r["destination"] for r in rows} >= {"特別養護老人ホーム", "介護老人保健施設", "3階療養病棟"}


def test_a_bad_row_imports_nothing_and_names_the_line(tmp_path):
    data = tmp_path / "data"
    bad = [*ROWS[:3], "00100009,4階東,2026-06-31,退院,自宅,0,0,0,0", *ROWS[3:5], "00100010,4階東,2026-07-01,退院,自宅,0,2,0,0"]
    out = shoko(data, "discharges", "import", str(write_csv(tmp_path / "bad.csv", bad, "cp932")), "--json")
    assert out.returncode != 0
    result = json.loads(out.stdout)
    assert result["imported"] is False and result["added"] == 0
    assert [e["line"] for e in result["errors"]] == [5, 8]
    assert "5行目" in out.stderr and "2026-06-31" in out.stderr and "8行目" in out.stderr and "再入院通算" in out.stderr
    assert stored(data) == []
    plain = shoko(data, "discharges", "import", str(tmp_path / "bad.csv"))
    assert plain.returncode != 0 and plain.stdout == "" and "5行目" in plain.stderr


def test_importing_the_same_rows_twice_adds_nothing_and_each_import_is_audited(tmp_path):
    data = tmp_path / "data"
    first = write_csv(tmp_path / "first.csv", ROWS)
    assert shoko(data, "discharges", "import", str(first)).returncode == 0
    # The same rows again, in Shift_JIS with one more row: only that one is new.
    again = shoko(data, "discharges", "import", str(write_csv(tmp_path / "again.csv", [*ROWS, ROWS[0].replace(
        "00100001", "00100011")], "cp932")), "--json")
    result = json.loads(again.stdout)
    assert (result["added"], result["unchanged"], result["updated"]) == (1, 8, 0)
    assert len(stored(data)) == 9
    services = Services(load_config(data_dir=str(data)))
    imports = [r for r in services.records.audit_rows() if r.action == "discharges_imported"]
    assert [(r.details["file_name"], r.details["added"]) for r in imports] == [("first.csv", 8), ("again.csv", 1)]
    assert all(r.actor == "cli" and r.at for r in imports)
    assert services.records.verify() == []
    services.records.engine.dispose()


def test_a_changed_row_is_updated_but_a_staff_correction_is_kept(tmp_path):
    from records import NewDischarge

    data = tmp_path / "data"
    shoko(data, "discharges", "import", str(write_csv(tmp_path / "a.csv", ROWS[:2])))
    services = Services(load_config(data_dir=str(data)))
    services.records.save_discharge(None, NewDischarge("00100002", "4階東", "2026-05-12", "discharge", "グループホーム"),
                                    actor="iji")
    services.records.engine.dispose()
    changed = [ROWS[0].replace("自宅", "○○病院"), ROWS[1].replace("特別養護老人ホーム", "老健")]
    result = json.loads(shoko(data, "discharges", "import", str(write_csv(tmp_path / "b.csv", changed)), "--json").stdout)
    assert (result["updated"], result["kept"]) == (1, 1)
    assert [r["destination"] for r in stored(data)] == ["○○病院", "グループホーム"]


def test_import_of_a_missing_file_fails(tmp_path):
    out = shoko(tmp_path / "data", "discharges", "import", str(tmp_path / "none.csv"), "--json")
    assert out.returncode != 0 and out.stdout == "" and "none.csv" in out.stderr


def test_homereturn_json_shape_and_counts(tmp_path):
    data = tmp_path / "data"
    shoko(data, "discharges", "import", str(write_csv(tmp_path / "d.csv", ROWS)))
    out = shoko(data, "homereturn", "--month", "2026-10", "--ward", "4階東", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert list(result) == ["month", "ward", "window", "numerator", "denominator", "rate", "threshold", "pass",
                            "patients"]
    assert result["month"] == "2026-10" and result["ward"] == "4階東" and result["window"] == ["2026-04", "2026-09"]
    # home: 自宅, 特養, 老健 with the 加算; not home: 病院; left out: a death, a transfer (令和6年度 rules).
    assert (result["numerator"], result["denominator"]) == (3, 4)
    assert result["rate"] == 0.75 and result["threshold"] == 0.725 and result["pass"] is True
    patients = {p["patient_id"]: p for p in result["patients"]}
    assert set(patients) == {"00100001", "00100002", "00100003", "00100004", "00100005", "00100006"}
    assert set(patients["00100001"]) == {"patient_id", "exit_date", "destination", "class", "reason"}
    assert patients["00100003"]["class"] == "not_home" and patients["00100005"]["class"] == "excluded"
    assert patients["00100006"]["exit_date"] == "2026-09-30" and "転棟" in patients["00100006"]["reason"]

    every_ward = json.loads(shoko(data, "homereturn", "--month", "2026-10", "--json").stdout)
    assert every_ward["ward"] is None and (every_ward["numerator"], every_ward["denominator"]) == (3, 5)

    plain = shoko(data, "homereturn", "--month", "2026-10", "--ward", "4階東")
    assert "3 / 4 = 75.0%" in plain.stdout and "満たしています" in plain.stdout


def test_homereturn_without_patients_is_not_computable(tmp_path):
    out = shoko(tmp_path / "data", "homereturn", "--month", "2026-10", "--json")
    result = json.loads(out.stdout)
    assert out.returncode == 0 and result["rate"] is None and result["pass"] is None and result["patients"] == []
    assert "計算できません" in shoko(tmp_path / "data", "homereturn", "--month", "2026-10").stdout


def test_homereturn_refuses_a_bad_month(tmp_path):
    out = shoko(tmp_path / "data", "homereturn", "--month", "2026-13", "--json")
    assert out.returncode == 2 and out.stdout == "" and "YYYY-MM" in out.stderr
