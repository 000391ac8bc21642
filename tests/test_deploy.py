"""The shipped deployment (deploy/): nginx accepts both example configurations (`nginx -t`), and the real dashboard
served through nginx with TLS and a stand-in for oauth2-proxy works in Chromium under the shipped security headers —
sign-in enforced, a forged user header replaced, the allow-list applied, every page drawn with no Content-Security-
Policy violation. Skips without nginx or openssl (`apt-get install nginx`)."""

from __future__ import annotations

import base64
import hashlib
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from streamlit_app import ARGS, CHROMIUM, browser_ready, free_port

REPO = Path(__file__).resolve().parents[1]
NGINX_DIR = REPO / "deploy" / "nginx"
HSDASH = str(Path(sys.executable).with_name("hsdash"))
SESSIONS = {"alice-session": "alice@example.org", "mallory-session": "mallory@example.org"}  # SYNTHETIC users


def _need(tool: str) -> str:
    path = shutil.which(tool) or (f"/usr/sbin/{tool}" if Path(f"/usr/sbin/{tool}").exists() else None)
    if path is None:
        pytest.skip(f"{tool} not installed (apt-get install {tool})")
    return path


def _cert(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run([_need("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def render(conf: str, folder: Path, *, http_port=80, https_port=443, dashboard_port=8501, auth_port=4180) -> Path:
    """The shipped server configuration with this test's ports, certificate and snippet paths, inside a complete
    nginx.conf of its own (pid, logs and temp files under ``folder``). Every substitution must match."""
    snippets = folder / "snippets"
    snippets.mkdir(exist_ok=True)
    for snippet in ("hsdash-proxy.conf", "hsdash-security-headers.conf"):
        shutil.copy(NGINX_DIR / snippet, snippets / snippet)
    cert, key = _cert(folder)
    text = (NGINX_DIR / conf).read_text()
    subs = {"listen 80;": f"listen 127.0.0.1:{http_port};", "listen [::]:80;": "",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;", "listen [::]:443 ssl http2;": "",
            "server 127.0.0.1:8501;": f"server 127.0.0.1:{dashboard_port};",
            "/etc/nginx/snippets/": f"{snippets}/", "/etc/ssl/hsdash/fullchain.pem": str(cert),
            "/etc/ssl/hsdash/privkey.pem": str(key)}
    if "4180" in text:
        subs["127.0.0.1:4180"] = f"127.0.0.1:{auth_port}"
    for old, new in subs.items():
        assert old in text, f"{conf} no longer contains {old!r}: update tests/test_deploy.py"
        text = text.replace(old, new)
    (folder / "hsdash.conf").write_text(text)
    temp = folder / "temp"
    temp.mkdir(exist_ok=True)
    main = folder / "nginx.conf"
    main.write_text(f"""{'user root;' if os.geteuid() == 0 else ''}
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {folder}/hsdash.conf;
}}
""")
    return main


@pytest.mark.parametrize("conf", ["hsdash.conf", "hsdash-allowlist.conf"])
def test_nginx_accepts_the_shipped_configuration(conf, tmp_path):
    nginx = _need("nginx")
    main = render(conf, tmp_path)
    out = subprocess.run([nginx, "-t", "-c", str(main), "-p", str(tmp_path)], capture_output=True, text=True)
    assert out.returncode == 0 and "syntax is ok" in out.stderr, out.stderr


def test_csp_allows_exactly_streamlits_inline_script():
    """The CSP names Streamlit's one inline script by hash: after a Streamlit upgrade that changes it, this fails
    (update the hash in deploy/nginx/hsdash-security-headers.conf)."""
    import streamlit

    index = (Path(streamlit.__file__).parent / "static" / "index.html").read_text(encoding="utf-8")
    inline = re.findall(r"<script>(.*?)</script>", index, re.S)
    hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in inline}
    csp = re.search(r'Content-Security-Policy "([^"]+)"', (NGINX_DIR / "hsdash-security-headers.conf").read_text())[1]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src")).split()[1:]
    assert set(s for s in script_src if s.startswith("'sha256-")) == hashes
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src


class _StubOauth2Proxy(http.server.BaseHTTPRequestHandler):
    """Stands in for oauth2-proxy: /oauth2/auth says 202 + X-Auth-Request-Email for a known session cookie, else 401;
    /oauth2/sign_in is where nginx sends the browser without one."""

    def do_GET(self):  # noqa: N802
        if self.path.startswith("/oauth2/auth"):
            cookie = re.search(r"_oauth2_proxy=([\w-]+)", self.headers.get("Cookie", ""))
            user = SESSIONS.get(cookie[1]) if cookie else None
            self.send_response(202 if user else 401)
            if user:
                self.send_header("X-Auth-Request-Email", user)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"<html><body><h1>Stub sign-in page</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _wait(url: str, proc: subprocess.Popen, log: Path, seconds: float = 90, context=None) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=1, context=context)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{url} did not come up: " + log.read_text()[-2000:]) from None
            time.sleep(0.25)


@contextmanager
def _process(cmd: list[str], log: Path, env: dict | None = None):
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.browser
@pytest.mark.slow
def test_dashboard_through_nginx_tls_and_sso(built, tmp_path):
    nginx = _need("nginx")
    browser_ready()
    import ssl

    from playwright.sync_api import expect, sync_playwright

    dash_port, auth_port, http_port, https_port = (free_port() for _ in range(4))
    stub = http.server.ThreadingHTTPServer(("127.0.0.1", auth_port), _StubOauth2Proxy)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    main = render("hsdash.conf", tmp_path, http_port=http_port, https_port=https_port, dashboard_port=dash_port,
                  auth_port=auth_port)
    env = {**os.environ, "HSDASH_AUTH_HEADER": "X-Forwarded-User", "HSDASH_ALLOWED_USERS": "alice@example.org"}
    base = f"https://127.0.0.1:{https_port}"
    insecure = ssl.create_default_context()
    insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE  # the test's self-signed certificate
    try:
        with _process([HSDASH, "--data-dir", str(built.data), "serve", "--port", str(dash_port), "--address",
                       "127.0.0.1"], tmp_path / "dashboard.log", env) as dash, \
             _process([nginx, "-c", str(main), "-p", str(tmp_path)], tmp_path / "nginx.out") as proxy:
            _wait(f"http://127.0.0.1:{dash_port}/_stcore/health", dash, tmp_path / "dashboard.log")
            _wait(base + "/", proxy, tmp_path / "error.log", context=insecure)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                try:
                    _check_through_proxy(browser, base, expect)
                finally:
                    browser.close()
    finally:
        stub.shutdown()


CSP_PROBE = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
"""
PAGES = [("", "Compare"), ("country", "Country profile"), ("aid", "Aid"), ("tfhs", "Trust Fund for Human Security"),
         ("sources", "Data & sources"), ("paper", "Founding paper"), ("progress", "Progress to targets"),
         ("briefing", "Briefing")]


def _session(browser, base: str, cookie: str | None, headers: dict | None = None):
    context = browser.new_context(ignore_https_errors=True, extra_http_headers=headers or {})
    if cookie:
        context.add_cookies([{"name": "_oauth2_proxy", "value": cookie, "url": base}])
    context.add_init_script(CSP_PROBE)
    return context


def _check_through_proxy(browser, base: str, expect) -> None:
    # no session cookie: nginx sends the browser to sign in; the dashboard is never reached
    page = _session(browser, base, None).new_page()
    page.goto(base + "/compare")
    expect(page.get_by_role("heading", name="Stub sign-in page")).to_be_visible()
    assert "/oauth2/sign_in?rd=" in page.url

    # signed in as alice, and trying to claim another name: nginx replaces the forged header
    context = _session(browser, base, "alice-session", {"X-Forwarded-User": "mallory@example.org"})
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    response = page.goto(base + "/")
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["strict-transport-security"].startswith("max-age=")
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"
    expect(page.get_by_role("heading", name="Compare")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stSidebar").get_by_text("Signed in as alice@example.org")).to_be_visible()
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=60_000)
    for path, title in PAGES[1:]:
        page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
        expect(page).to_have_url(re.compile(f"/{path}"), timeout=60_000)
        expect(page.locator("[data-testid='stMain'] h1").first).to_be_visible(timeout=60_000)
        page.wait_for_timeout(2000)  # charts and tables finish drawing
        assert page.evaluate("window.__csp") == [], (path, page.evaluate("window.__csp"))
    # the briefing keeper's component (JavaScript from a blob: URL) could set its cookie under the CSP
    assert "hsdash_briefing" in {c["name"] for c in context.cookies()}
    page.goto(base + "/?view=map")  # the choropleth loads its world topojson from the dashboard itself
    expect(page.locator(".js-plotly-plot .choroplethlayer path").first).to_be_attached(timeout=60_000)
    page.wait_for_timeout(2000)
    assert page.evaluate("window.__csp") == []
    assert [c for c in console if "Content Security Policy" in c] == []
    assert page.request.get(base + "/_stcore/metrics").status == 404
    context.close()

    # signed in, but not on the dashboard's allow-list
    page = _session(browser, base, "mallory-session").new_page()
    page.goto(base + "/")
    expect(page.get_by_text("Your account is not on this dashboard's list of users")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name="Compare")).to_have_count(0)
