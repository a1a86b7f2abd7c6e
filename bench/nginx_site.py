"""Run Debian's nginx configured by ``examples/deploy/nginx.conf`` in front of servers on
127.0.0.1 (for the slow-clients bench and the proxy test)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NGINX_CONF = ROOT / "examples" / "deploy" / "nginx.conf"


def write_config(upstreams: list[int], front: int, scratch: Path) -> Path:
    """The example's site with its upstream servers at ``upstreams`` (ports on 127.0.0.1),
    listening on 127.0.0.1:``front``, in a whole nginx.conf under ``scratch``."""
    site = NGINX_CONF.read_text()
    servers = "".join(f"    server 127.0.0.1:{port};\n" for port in upstreams)
    site, found = re.subn(r"(?m)^    server 127\.0\.0\.1:\d+;.*\n", "", site)
    if not found:
        raise RuntimeError(f"no upstream server lines in {NGINX_CONF}")
    site = site.replace("upstream wtf_app {\n", "upstream wtf_app {\n" + servers)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{front};")
    temp = " ".join(
        f"{kind}_temp_path {scratch / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = scratch / "nginx.conf"
    conf.write_text(
        f"daemon off; worker_processes 1; pid {scratch / 'nginx.pid'};\n"
        f"error_log {scratch / 'error.log'};\nevents {{ worker_connections 1024; }}\n"
        f"http {{ access_log off; {temp}\n{site}\n}}\n"
    )
    return conf


def start_nginx(upstreams: list[int], front: int, scratch: Path) -> subprocess.Popen[bytes]:
    """Start nginx (the caller waits for ``front`` and stops it by its PID)."""
    conf = write_config(upstreams, front, scratch)
    return subprocess.Popen(
        ["nginx", "-c", str(conf), "-p", str(scratch)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
