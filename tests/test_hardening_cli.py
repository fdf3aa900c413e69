"""The command honours the configured limits (real command, real data directory)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SHOKO = str(Path(sys.executable).with_name("shoko"))


def test_search_command_uses_the_configured_query_length(tmp_path):
    config = tmp_path / "shoko.toml"
    config.write_text("search_max_chars = 5\n", encoding="utf-8")
    base = [SHOKO, "--config", str(config), "--data-dir", str(tmp_path / "data"), "search"]
    refused = subprocess.run([*base, "在宅酸素療法指導", "--json"], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and refused.stdout == ""
    assert "長すぎます" in refused.stderr
    answered = subprocess.run([*base, "酸素", "--json"], capture_output=True, text=True, timeout=120)
    assert answered.returncode == 0 and '"total": 0' in answered.stdout


def test_status_reports_the_watcher_in_the_contracts_shape_when_none_has_run(tmp_path):
    import json

    out = subprocess.run([SHOKO, "--data-dir", str(tmp_path / "data"), "status", "--json"],
                         capture_output=True, text=True, timeout=120, check=True)
    watcher = json.loads(out.stdout)["watcher"]
    assert watcher["state"] == "stopped" and watcher["since"] is None and watcher["reason"] is None
