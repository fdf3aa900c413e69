"""RFC 3161 timestamps against a local time-stamping authority made here with openssl (no network)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from shoko.services import Services
from shoko.settings import load_config
from shoko.timestamps import TimestampError, Timestamps
from tests.conftest import text_layer_pdf

TSA_CONFIG = """
[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
serial = {dir}/tsaserial
crypto_device = builtin
signer_cert = {dir}/tsa.crt
certs = {dir}/ca.crt
signer_key = {dir}/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha256
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def tsa(tmp_path_factory):
    """A CA, a TSA certificate (extendedKeyUsage timeStamping) and ``openssl ts -reply`` behind HTTP."""
    folder = tmp_path_factory.mktemp("tsa")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-subj",
            "/CN=shoko test CA", "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=folder)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr", "-subj",
            "/CN=shoko test TSA", cwd=folder)
    (folder / "ext.cnf").write_text("extendedKeyUsage=critical,timeStamping\nbasicConstraints=CA:FALSE\n"
                                    "keyUsage=critical,digitalSignature\n")
    openssl("x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "tsa.crt", "-days", "2", "-extfile", "ext.cnf", cwd=folder)
    (folder / "tsaserial").write_text("01\n")
    (folder / "tsa.cnf").write_text(TSA_CONFIG.format(dir=folder))
    lock = threading.Lock()
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                requests.append(self.headers["Content-Type"])
                (folder / "q.tsq").write_bytes(body)
                openssl("ts", "-reply", "-config", "tsa.cnf", "-queryfile", "q.tsq", "-out", "r.tsr", cwd=folder)
                reply = (folder / "r.tsr").read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_address[1]}/", "ca": folder / "ca.crt", "requests": requests}
    server.shutdown()


def config_file(tmp_path: Path, **values) -> Path:
    path = tmp_path / "shoko.toml"
    path.write_text("".join(f"{k} = {json.dumps(str(v))}\n" for k, v in values.items()), encoding="utf-8")
    return path


def test_intake_stamps_each_original_and_verify_checks_the_token(tsa, shoko_cli, tmp_path):
    config = config_file(tmp_path, tsa_url=tsa["url"], tsa_ca_file=tsa["ca"])
    pdf = text_layer_pdf(tmp_path / "a.pdf", ["在宅酸素療法指示書", "患者ID 00555555 患者氏名 鈴木 一郎"])
    doc_id = json.loads(shoko_cli("--config", str(config), "ingest", "--json", str(pdf)).stdout)["id"]
    sha = hashlib.sha256(pdf.read_bytes()).hexdigest()
    token = shoko_cli.data_dir / "timestamps" / f"{sha}.tsr"
    assert token.exists() and tsa["requests"][-1] == "application/timestamp-query"
    assert shoko_cli("--config", str(config), "verify").returncode == 0
    assert shoko_cli("verify").returncode == 0  # without the CA: the imprint is checked

    # A token of other data put in its place is named, with or without the CA file.
    other = tmp_path / "other.bin"
    other.write_bytes(b"something else")
    stamps = Timestamps(tmp_path / "elsewhere", tsa["url"])
    good = token.read_bytes()
    token.write_bytes(stamps.stamp(other, hashlib.sha256(b"something else").hexdigest()).read_bytes())
    for args in (("--config", str(config)), ()):
        result = shoko_cli(*args, "verify", "--json", check=False)
        assert result.returncode == 1
        problems = json.loads(result.stdout)["problems"]
        assert any(p.startswith(f"{doc_id}: timestamp token does not") for p in problems), problems
    token.write_bytes(good)
    assert shoko_cli("verify").returncode == 0


def test_a_failed_stamp_does_not_stop_intake_and_shoko_timestamp_retries(tsa, shoko_cli, tmp_path):
    down = config_file(tmp_path, tsa_url="http://127.0.0.1:9/")  # nothing listens there
    pdf = text_layer_pdf(tmp_path / "b.pdf", ["在宅酸素療法指示書", "患者ID 00666666"])
    assert json.loads(shoko_cli("--config", str(down), "ingest", "--json", str(pdf)).stdout)["status"] == "ingested"
    sha = hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert not (shoko_cli.data_dir / "timestamps" / f"{sha}.tsr").exists()
    assert shoko_cli("--config", str(down), "timestamp", check=False).returncode == 1
    assert shoko_cli("timestamp", check=False).returncode == 2  # no authority configured
    up = tmp_path / "up.toml"
    up.write_text(f'tsa_url = "{tsa["url"]}"\ntsa_ca_file = "{tsa["ca"]}"\n', encoding="utf-8")
    assert "1 originals timestamped" in shoko_cli("--config", str(up), "timestamp").stdout
    assert (shoko_cli.data_dir / "timestamps" / f"{sha}.tsr").exists()
    assert shoko_cli("--config", str(up), "verify").returncode == 0


def test_without_an_authority_nothing_is_sent(tsa, tmp_path):
    services = Services(load_config(data_dir=str(tmp_path / "data")))
    before = len(tsa["requests"])
    assert services.config.tsa_url == "" and services.timestamps.url == ""
    with pytest.raises(TimestampError):
        services.timestamps.stamp(tmp_path, "0" * 64)
    assert len(tsa["requests"]) == before


def test_the_audit_logs_head_is_timestamped_and_checked(tsa, shoko_cli, tmp_path):
    config = config_file(tmp_path, tsa_url=tsa["url"], tsa_ca_file=tsa["ca"])
    pdf = text_layer_pdf(tmp_path / "c.pdf", ["在宅酸素療法指示書", "患者ID 00777777"])
    shoko_cli("--config", str(config), "ingest", "--json", str(pdf))
    result = shoko_cli("--config", str(config), "timestamp")
    assert "the audit log's head timestamped" in result.stdout
    stamped = sorted((shoko_cli.data_dir / "timestamps").glob("checkpoint-*.line"))
    assert len(stamped) == 1
    assert shoko_cli("--config", str(config), "verify").returncode == 0
    # The stamped line rewritten in the checkpoint file (as when the log is rewritten) is found.
    checkpoints = shoko_cli.data_dir / "audit-checkpoints"
    line = stamped[0].read_text().strip()
    checkpoints.write_text(checkpoints.read_text().replace(line, line.replace('"seq": ', '"seq": 1')))
    result = shoko_cli("--config", str(config), "verify", "--json", check=False)
    assert result.returncode == 1
    assert any("no longer in the checkpoint file" in p for p in json.loads(result.stdout)["problems"])
