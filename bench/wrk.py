"""Drive one scenario with wrk (Debian's package) and read its figures back as JSON."""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass, field

LUA = r"""
wrk.method = %(method)s
wrk.body = %(body)s
%(headers)s
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "socket_errors": %%d, "bad_status": %%d, ' ..
    '"p50_ms": %%.3f, "p95_ms": %%.3f, "p99_ms": %%.3f, "bytes": %%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.bytes))
end
"""


def _lua_string(value: str) -> str:
    return "[==[" + value + "]==]"


@dataclass
class Load:
    url: str
    method: str = "GET"
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


def run(load: Load, seconds: float = 8, connections: int = 8, threads: int = 2) -> dict:
    headers = "\n".join(
        f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in load.headers.items()
    )
    script = LUA % {
        "method": _lua_string(load.method),
        "body": _lua_string(load.body) if load.body else "nil",
        "headers": headers,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        output = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
             "-s", lua.name, load.url],
            capture_output=True, text=True, check=True,
        ).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRKJSON "))
    figures = json.loads(line.removeprefix("WRKJSON "))
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["errors"] = figures["socket_errors"] + figures["bad_status"]
    return figures
