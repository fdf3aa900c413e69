"""Every setting is declared once, documented, and listed in the default file."""

import re

import pytest

from kernel.errors import ConfigError
from shoko.settings import DEFAULT_CONFIG_FILE, SETTINGS, load_config


def test_every_setting_has_help_and_is_listed_in_the_default_file():
    listed = DEFAULT_CONFIG_FILE.read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert len(setting.help) > 20, setting.name
        assert re.search(rf"^# {setting.name} = ", listed, re.MULTILINE), f"{setting.name} missing from {DEFAULT_CONFIG_FILE}"
        assert setting.help in listed, f"help of {setting.name} differs in {DEFAULT_CONFIG_FILE}"


def test_default_file_lists_nothing_undeclared():
    listed = re.findall(r"^# (\w+) = ", DEFAULT_CONFIG_FILE.read_text(encoding="utf-8"), re.MULTILINE)
    assert set(listed) == {s.name for s in SETTINGS}


def test_unknown_or_mistyped_settings_are_refused(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("max_page = 10\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="max_page"):
        load_config(bad)
    bad.write_text('max_pages = "many"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="max_pages"):
        load_config(bad)


def test_data_dir_override_and_derived_paths(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOKO_DATA_DIR", str(tmp_path / "env"))
    assert load_config().data_path == (tmp_path / "env").resolve()
    config = load_config(data_dir=str(tmp_path / "flag"))
    assert config.data_path == (tmp_path / "flag").resolve()
    assert config.db_url == f"sqlite:///{(tmp_path / 'flag').resolve() / 'shoko.sqlite3'}"
    assert config.inbox_paths == [(tmp_path / "flag").resolve() / "inbox"]
