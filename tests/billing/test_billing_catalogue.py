"""The billing catalogue: config/billing.toml as data, revisions by date."""

import pytest

from billing import load_catalogue
from kernel.errors import ConfigError

CONTRACT_CODES = {
    "C103-1", "C103-2", "C103-remote", "C157-1", "C157-2", "C158",
    "C159-1", "C159-2", "C159-2-valve", "C171-1", "C171-2",
}


def points(catalogue, month):
    return {item.code: item.points for item in catalogue.items_for(month)}


def test_r6_lists_every_contract_item(catalogue):
    assert {item.code for item in catalogue.items_for("2026-10")} == CONTRACT_CODES


def test_remote_monitoring_is_absent_before_its_revision(catalogue):
    assert "C103-remote" not in points(catalogue, "2024-05")
    assert points(catalogue, "2024-06")["C103-remote"] == 150


@pytest.mark.parametrize(
    ("month", "revision_key"),
    [
        ("2016-04", "H28"),
        ("2018-04", "H28"),
        ("2024-05", "H28"),
        ("2024-06", "R6"),
        ("2026-10", "R6"),
    ],
)
def test_revision_in_force_on_the_first_day(catalogue, month, revision_key):
    assert catalogue.revision_for(month).key == revision_key


def test_month_before_every_revision_is_a_config_gap(catalogue):
    with pytest.raises(ConfigError):
        catalogue.items_for("2016-03")


@pytest.mark.parametrize(
    ("code", "may_2024", "june_2024"),
    [
        ("C103-1", 520, 520),
        ("C103-2", 2500, 2400),
        ("C157-1", 880, 880),
        ("C157-2", 3950, 3950),
        ("C158", 4000, 4000),
        ("C159-1", 3970, 3970),
        ("C159-2", 880, 880),
        ("C159-2-valve", 300, 291),
        ("C171-1", 780, 780),
        ("C171-2", 100, 100),
    ],
)
def test_points_at_the_revision_boundary(catalogue, code, may_2024, june_2024):
    assert points(catalogue, "2024-05")[code] == may_2024
    assert points(catalogue, "2024-06")[code] == june_2024


@pytest.mark.parametrize(
    ("code", "device_type", "group"),
    [
        ("C157-1", "cylinder_portable", "portable"),
        ("C157-2", "cylinder", "stationary"),
        ("C158", "concentrator", "stationary"),
        ("C159-1", "liquid_stationary", "stationary"),
        ("C159-2", "liquid_portable", "portable"),
        ("C159-2-valve", "demand_valve", "valve"),
    ],
)
def test_device_items_map_to_contract_device_types(catalogue, code, device_type, group):
    for month in ("2024-05", "2026-10"):
        item = catalogue.revision_for(month).item(code)
        assert (item.device_type, item.group, item.rule) == (device_type, group, "device")
        assert (item.frequency.claims, item.frequency.months) == (3, 3)
        assert catalogue.device_label(device_type) != device_type


def test_every_item_has_a_japanese_name_and_positive_points(catalogue):
    for revision in catalogue.revisions:
        for item in revision.items:
            assert item.points > 0
            assert any("\u3040" <= char <= "\u9fff" for char in item.name)


VALID_ITEM = """
[device_labels]
concentrator = "酸素濃縮装置"
[group_labels]
stationary = "設置型"
[revisions.R6]
label = "令和6年度"
start = 2024-06-01
[[revisions.R6.items]]
code = "C158"
name = "酸素濃縮装置加算"
points = 4000
group = "stationary"
frequency = { claims = 3, months = 3 }
rule = "device"
device_type = "concentrator"
"""


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda text: text.replace("points = 4000\n", ""), "points is missing"),
        (lambda text: text.replace("points = 4000", "points = true"), "points must be int"),
        (lambda text: text.replace('rule = "device"', 'rule = "magic"'), "rule must be one of"),
        (lambda text: text.replace('device_type = "concentrator"\n', ""), "needs device_type"),
        (lambda text: text.replace("start = 2024-06-01", 'start = "June"'), "start must be date"),
        (lambda text: text + text[text.index("[[revisions"):], "listed twice"),
        (lambda text: text.replace("[group_labels]", "[group_labels"), "billing.toml"),
    ],
)
def test_invalid_catalogue_is_a_config_error(tmp_path, edit, message):
    path = tmp_path / "billing.toml"
    path.write_text(edit(VALID_ITEM), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_catalogue(path)


def test_valid_minimal_catalogue_loads(tmp_path):
    path = tmp_path / "billing.toml"
    path.write_text(VALID_ITEM, encoding="utf-8")
    item = load_catalogue(path).revision_for("2026-01").item("C158")
    assert (item.points, item.device_type) == (4000, "concentrator")


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError):
        load_catalogue(tmp_path / "absent.toml")
