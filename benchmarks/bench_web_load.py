"""Benchmark: 50 concurrent clients on the dashboard's overview, map and section pages.

Issue 4 goal: p95 latency <= 200 ms and no errors on the demo workspace. Builds the Jinzhong
example in a temporary workspace (or uses ``--workspace``), serves it with ``qingliu serve``
(uvicorn, one process) on 127.0.0.1 in a subprocess, signs a viewer in, warms each page once
(the first visit of a period computes its assessment: timed apart), then lets ``--clients``
asyncio clients (httpx, one connection each, the same session) request the pages in turn,
``--requests`` each, stopping after ``--max-seconds``. Two loads are run:

- saturation: no pause between requests (a closed loop: the server is never idle);
- users: each client pauses ``--think-ms`` between pages, as a person reading them.

The peer of each load is the same load on a static file of the same server (the floor of this
machine, its load generator included). Prints p50/p95/max per page, errors, throughput, the
verdict and the ratios goal/p95 and pages/peer. Not a test; run by hand:

    .venv/bin/python benchmarks/bench_web_load.py [--clients 50] [--requests 20] [--think-ms 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from qingliu.services.auth import create_user
from qingliu.services.examples import load_example
from qingliu.services.workspace import create_workspace, open_workspace

GOAL_P95_MS = 200.0
PAGES = ("/", "/map", "/sections/S01", "/sections/S07", "/sections/S15")
"""Overview, map and three section pages (a river, a tributary, a reservoir)."""
PEER = ("/static/qingliu.css",)
"""The peer: a static file of the same server under the same load."""
USER = "bench_viewer"
SERVER_START_S = 60.0

Result = tuple[str, float, bool]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _workspace(given: Path | None, tmp: Path) -> tuple[Path, str, str]:
    """The workspace to serve, and the name and password of a viewer account made for the benchmark."""
    ws = open_workspace(given) if given else create_workspace(tmp / "ws", example="jinzhong")
    if given is None:
        load_example(ws, "jinzhong")
    username, password = f"{USER}_{secrets.token_hex(3)}", secrets.token_urlsafe(18)
    create_user(ws.engine, username, password, "viewer")
    ws.engine.dispose()
    return ws.root, username, password


def _serve(root: Path, port: int) -> subprocess.Popen:
    command = [sys.executable, "-c", "from qingliu.cli.main import app; app()", "serve", str(root), "--port", str(port)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_S
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit(f"server exited: {server.stderr.read().decode(errors='replace')}")
            try:
                if (await client.get("/login")).status_code == 200:
                    return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise SystemExit("server did not start")


async def _signed_in(base: str, username: str, password: str) -> httpx.Cookies:
    """Sign in through the login form; warm every page once; the session's cookies."""
    async with httpx.AsyncClient(base_url=base, timeout=120.0) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', (await client.get("/login")).text).group(1)
        answer = await client.post("/login", data={"username": username, "password": password, "csrf_token": token})
        if answer.status_code != 303:
            raise SystemExit(f"sign-in failed: {answer.status_code}")
        for path in PAGES:  # the first visit computes the period's assessment and the page's view
            start = time.perf_counter()
            status = (await client.get(path)).status_code
            print(f"warm-up {path:<16} {status} {(time.perf_counter() - start) * 1000:8.0f} ms")
        return client.cookies


async def _client(base: str, cookies: httpx.Cookies, paths: tuple[str, ...], offset: int, requests: int,
                  think_s: float, stop_at: float, out: list[Result]) -> None:  # fmt: skip
    """One client requesting ``paths`` in turn, pausing ``think_s`` between them, until done or out of time.

    A request counts as an error unless it answers 200 with the whole body (a page ends with ``</html>``).
    """
    async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=60.0) as client:
        await asyncio.sleep(think_s * offset / 50)  # users do not all arrive at once
        for i in range(requests):
            if time.monotonic() > stop_at:
                return
            path = paths[(offset + i) % len(paths)]
            start = time.perf_counter()
            try:
                answer = await client.get(path)
                ok = answer.status_code == 200 and (path in PEER or answer.text.rstrip().endswith("</html>"))
            except httpx.HTTPError:
                ok = False
            out.append((path, (time.perf_counter() - start) * 1000.0, ok))
            await asyncio.sleep(think_s)


async def _load(base: str, cookies: httpx.Cookies, paths: tuple[str, ...], args: argparse.Namespace,
                think_s: float) -> tuple[list[Result], float]:  # fmt: skip
    """Every client's requests, (path, milliseconds, ok) each, and the seconds the load took."""
    results: list[Result] = []
    start = time.perf_counter()
    stop_at = time.monotonic() + args.max_seconds
    await asyncio.gather(*(_client(base, cookies, paths, k, args.requests, think_s, stop_at, results)
                           for k in range(args.clients)))  # fmt: skip
    return results, time.perf_counter() - start


def _row(name: str, ms: np.ndarray, errors: int) -> str:
    p50, p95 = np.percentile(ms, [50, 95]) if ms.size else (np.nan, np.nan)
    return f"{name:<20} {ms.size:>6} {p50:>8.1f} {p95:>8.1f} {ms.max() if ms.size else np.nan:>8.1f} {errors:>6}"


def _report(title: str, results: list[Result], elapsed: float, peer: list[Result], peer_elapsed: float) -> None:
    print(f"\n{title}: {len(results)} requests in {elapsed:.1f} s ({len(results) / elapsed:.0f}/s); "
          f"peer {PEER[0]}: {len(peer) / peer_elapsed:.0f}/s")  # fmt: skip
    print(f"{'page':<20} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'errors':>6}")
    for path in PAGES:
        picked = [(ms, ok) for p, ms, ok in results if p == path]
        print(_row(path, np.array([ms for ms, _ in picked]), sum(not ok for _, ok in picked)))
    every = np.array([ms for _, ms, _ in results])
    errors = sum(not ok for _, _, ok in results)
    floor = np.array([ms for _, ms, _ in peer])
    print(_row("all pages", every, errors))
    print(_row("peer (static file)", floor, sum(not ok for _, _, ok in peer)))
    p95, peer_p95 = float(np.percentile(every, 95)), float(np.percentile(floor, 95))
    verdict = "met" if p95 <= GOAL_P95_MS and errors == 0 else "NOT met"
    print(f"goal p95 <= {GOAL_P95_MS:.0f} ms, no errors: {verdict}; goal/p95 = {GOAL_P95_MS / p95:.2f}x, "
          f"pages/peer p95 = {p95 / peer_p95:.1f}x")  # fmt: skip


async def _run(base: str, username: str, password: str, args: argparse.Namespace) -> None:
    cookies = await _signed_in(base, username, password)
    for title, think_s in (("saturation (no pause)", 0.0), (f"users (pause {args.think_ms:.0f} ms)", args.think_ms / 1000)):
        results, elapsed = await _load(base, cookies, PAGES, args, think_s)
        peer, peer_elapsed = await _load(base, cookies, PEER, args, think_s)
        _report(f"{args.clients} clients x {args.requests}, {title}", results, elapsed, peer, peer_elapsed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="requests per client and load")
    parser.add_argument("--think-ms", type=float, default=1000.0, help="pause between a user's pages")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="stop each load after this long")
    parser.add_argument("--workspace", type=Path, help="serve this workspace instead of a fresh example")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root, username, password = _workspace(args.workspace, Path(tmp))
        port = _free_port()
        server = _serve(root, port)
        try:
            base = f"http://127.0.0.1:{port}"
            asyncio.run(_wait_until_up(base, server))
            asyncio.run(_run(base, username, password, args))
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
