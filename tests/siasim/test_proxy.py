"""The proxy mode: clients that hard-code the real hosts reach the mocks unchanged, with
``HTTPS_PROXY`` and the local CA in their environment, and reach nothing else."""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys

import pytest

import siasim

CLIENTS = '''
import json, requests
from marketorestpython.client import MarketoClient
from simple_salesforce import Salesforce

out = {}
mc = MarketoClient("123-ABC-456", "siasim-marketo-client", "siasim-marketo-secret")
out["marketo_host"] = mc.host  # the client's own: https://123-ABC-456.mktorest.com
out["leads"] = mc.execute(method="get_multiple_leads_by_filter_type", filterType="id",
                          filterValues=["1", "2"], fields=["email"])
sf = Salesforce(username="admin@siasim.example", password="siasim-password",
                security_token="")  # SOAP login at https://login.salesforce.com
out["instance"] = sf.sf_instance
out["lead_count"] = sf.query("SELECT COUNT() FROM Lead")["totalSize"]
sandbox = Salesforce(username="admin@siasim.example", password="siasim-password",
                     security_token="", domain="test")  # test.salesforce.com
out["sandbox_instance"] = sandbox.sf_instance
token = requests.post("https://login.salesforce.com/services/oauth2/token", data={
    "grant_type": "password", "client_id": "siasim-salesforce-client",
    "client_secret": "siasim-salesforce-secret", "username": "admin@siasim.example",
    "password": "siasim-password"}).json()
out["instance_url"] = token["instance_url"]
mine = requests.get("https://acme.my.salesforce.com/services/data/v59.0/sobjects/Lead/describe",
                    headers={"Authorization": "Bearer " + token["access_token"]})
out["my_domain_status"] = mine.status_code
for name, url in (("elsewhere", "https://example.com/"),
                  ("other_port", "https://login.salesforce.com:8443/"),
                  ("plain", "http://login.salesforce.com/services/oauth2/token")):
    try:
        answer = requests.get(url, timeout=10)
        out[name] = f"answered {answer.status_code}: {answer.text[:120]}"
    except requests.RequestException as exc:
        out[name] = f"refused: {exc}"
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def stack():
    with siasim.Stack(proxy=True, synced=False) as running:
        yield running


def run_client(code: str, env: dict, timeout: float = 180) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k.upper() not in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY",
                                  "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=timeout, env={**clean, **env})


def test_unchanged_clients_reach_the_mocks_and_nothing_else(stack):
    stack.marketo.reset()
    stack.salesforce.reset()
    done = run_client(CLIENTS, stack.proxy_environment())
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["marketo_host"] == "https://123-ABC-456.mktorest.com"
    assert [lead["id"] for lead in out["leads"]] == [1, 2]
    assert out["instance"] == out["sandbox_instance"] == "siasim.my.salesforce.com"
    assert out["lead_count"] == len(stack.salesforce.rows("Lead"))
    assert out["instance_url"] == "https://siasim.my.salesforce.com"
    assert out["my_domain_status"] == 200
    # nothing else goes through: another host, another port, plain HTTP
    for name in ("elsewhere", "other_port"):
        assert out[name].startswith("refused") and "403" in out[name], (name, out[name])
    assert out["plain"].startswith("answered 403") and "HTTPS only" in out["plain"]
    # the calls went through each mock's whole pipeline, journal included
    assert stack.marketo.journal(path="/rest/v1/leads.json", method="GET")
    logins = stack.salesforce.journal(path="/services/Soap/u/*")
    assert len(logins) == 2 and logins[0].request_headers
    assert stack.salesforce.journal(path="/services/oauth2/token")


def test_a_dropped_connection_is_dropped_for_the_client_too(stack):
    stack.marketo.reset()
    stack.marketo.fault(drop="before", path="/rest/v1/lead/*", times=1)
    code = '''
import requests
token = requests.get("https://123-abc-456.mktorest.com/identity/oauth/token", params={
    "grant_type": "client_credentials", "client_id": "siasim-marketo-client",
    "client_secret": "siasim-marketo-secret"}).json()["access_token"]
try:
    requests.get("https://123-abc-456.mktorest.com/rest/v1/lead/1.json",
                 headers={"Authorization": "Bearer " + token})
    print("answered")
except requests.ConnectionError:
    print("dropped")
print(requests.get("https://123-abc-456.mktorest.com/rest/v1/lead/1.json",
                   headers={"Authorization": "Bearer " + token}).json()["result"][0]["id"])
'''
    done = run_client(code, stack.proxy_environment())
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["dropped", "1"]


def test_a_client_that_does_not_trust_the_ca_gets_no_answer(stack):
    env = {k: v for k, v in stack.proxy_environment().items() if "PROXY" in k.upper()}
    code = ("import requests\ntry:\n"
            "    requests.get('https://login.salesforce.com/services/data/')\n"
            "    print('trusted')\nexcept requests.exceptions.SSLError:\n    print('ssl error')")
    done = run_client(code, env)
    assert done.stdout.strip() == "ssl error", done.stdout + done.stderr


def test_a_bad_connect_is_refused_whole():
    with siasim.Stack(proxy=True, synced=False, empty=True) as stack:
        host, port = stack.proxy_url.removeprefix("http://").split(":")
        for request in (b"CONNECT nowhere HTTP/1.1\r\n\r\n",
                        b"CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example\r\n\r\n"):
            with socket.create_connection((host, int(port)), timeout=10) as sock:
                sock.sendall(request)
                answer = b""
                while chunk := sock.recv(4096):  # to the end: the proxy closes it
                    answer += chunk
                answer = answer.decode()
            status = answer.split()[1]
            assert status in ("400", "403") and "siasim proxy:" in answer, answer


def test_up_with_proxy_prints_what_a_client_needs(siasim, tmp_path):
    up = siasim("up", "--profile", "tiny", "--sia-port", "0", "--marketo-port", "0",
                "--salesforce-port", "0", "--proxy", "--proxy-port", "0",
                "--no-initial-sync", env={"SIASIM_STATE_DIR": str(tmp_path)})
    up.wait_for("Ctrl-C stops everything.")
    line = next(x for x in up.lines if "a client runs with:" in x)
    env = dict(pair.split("=", 1) for pair in shlex.split(line.split("with:", 1)[1])[1:])
    assert env["HTTPS_PROXY"].startswith("http://127.0.0.1:")
    export = next(x for x in up.lines if x.startswith("export SIASIM_"))
    assert f"SIASIM_PROXY_URL={env['HTTPS_PROXY']}" in export
    code = ("from marketorestpython.client import MarketoClient\n"
            "mc = MarketoClient('123-ABC-456', 'siasim-marketo-client', "
            "'siasim-marketo-secret')\n"
            "print(mc.execute(method='get_lead_by_id', id=3)[0]['id'])")
    done = run_client(code, env)
    assert done.returncode == 0 and done.stdout.strip() == "3", done.stderr
    assert up.stop() == 0 and "Traceback" not in up.output


def test_serve_with_proxy_stands_in_for_its_own_service_only(siasim, tmp_path):
    serve = siasim("serve", "marketo", "--port", "0", "--proxy", "--proxy-port", "0",
                   "--profile", "tiny", "--db", str(tmp_path / "m.db"))
    serve.wait_for("Ctrl-C stops it.")
    assert "stands in for:   *.mktorest.com; refuses every other host" in serve.output
    proxy = next(x.split()[1] for x in serve.lines if x.startswith("Proxy:"))
    ca = next(x.split()[2] for x in serve.lines if x.strip().startswith("CA file:"))
    code = ("import requests\n"
            "print(requests.get('https://1-2-3.mktorest.com/identity/oauth/token', params={"
            "'grant_type': 'client_credentials', 'client_id': 'siasim-marketo-client',"
            "'client_secret': 'siasim-marketo-secret'}).status_code)\n"
            "try:\n    requests.get('https://login.salesforce.com/')\n"
            "except requests.exceptions.ProxyError as exc:\n    print('refused' if '403' in "
            "str(exc) else exc)\n")
    done = run_client(code, {"HTTPS_PROXY": proxy, "REQUESTS_CA_BUNDLE": ca})
    assert done.stdout.split() == ["200", "refused"], done.stdout + done.stderr
    assert serve.stop() == 0 and "Traceback" not in serve.output
