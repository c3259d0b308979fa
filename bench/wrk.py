"""Drive one scenario with wrk (Debian's package) and read its figures back as JSON.

A scenario is a list of requests that wrk cycles through (one request repeated, or many distinct
ones so that every request misses the cache, or one per browser session)."""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass, field

LUA = r"""
local requests = {}
local counter = 0
local threads = 0
setup = function(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
init = function(args)
%(requests)s
  -- Threads start far apart in the list, so distinct requests stay distinct.
  counter = tid * math.floor(#requests / 8)
end
request = function()
  counter = counter + 1
  return requests[(counter %% #requests) + 1]
end
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
class Request:
    path: str
    method: str = "GET"
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def lua(self) -> str:
        headers = ", ".join(
            f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in self.headers.items()
        )
        body = _lua_string(self.body) if self.body else "nil"
        return (
            f"  table.insert(requests, wrk.format({_lua_string(self.method)}, "
            f"{_lua_string(self.path)}, {{{headers}}}, {body}))"
        )


def run(
    base_url: str,
    requests: list[Request],
    seconds: float = 8,
    connections: int = 8,
    threads: int = 2,
) -> dict:
    """Figures of one wrk run: requests/s, p50/p95/p99 ms, errors (socket errors and non-2xx/3xx)
    and bytes per response."""
    script = LUA % {"requests": "\n".join(r.lua() for r in requests)}
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        output = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{round(seconds)}s",
                "--timeout",
                "10s",
                "--latency",
                "-s",
                lua.name,
                base_url,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    line = next((x for x in output.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if output.returncode or line is None:
        raise RuntimeError(f"wrk failed: {output.stdout[-2000:]} {output.stderr[-2000:]}")
    figures = json.loads(line.removeprefix("WRKJSON "))
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["errors"] = figures["socket_errors"] + figures["bad_status"]
    return figures
