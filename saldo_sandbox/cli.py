"""`saldo sandbox`: run the provider simulator standalone on loopback (a checkout's development
install only: the bundle leaves the ``saldo_sandbox`` package out, so it has no such command).

Prints ``sandbox: http://127.0.0.1:PORT`` as its first line on stdout (scripts read it) and
serves until SIGINT/SIGTERM. ``--dump`` prints the ground truth of every provider as JSON instead.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import Any

from desktop_app.commands import argtypes
from saldo_sandbox.app import Sandbox
from saldo_sandbox.state import PROVIDERS


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "sandbox",
        parents=[common],
        help="run the provider simulator (Demo Bank and all providers)",
        description="Serve the Demo Bank and a simulator of every provider on 127.0.0.1 until stopped.",
    )
    p.add_argument(
        "--port", type=argtypes.integer(0, 65_535), default=0, help="port on 127.0.0.1 (default: any free port)"
    )
    p.add_argument(
        "--seed", type=argtypes.integer(0, 2**32 - 1), default=1, help="seed of the synthetic data (default: 1)"
    )
    p.add_argument(
        "--transactions",
        type=argtypes.integer(0, 5_000_000),
        default=2000,
        metavar="N",
        help="size of the Demo Bank's history; other providers get N/5 (default: 2000)",
    )
    p.add_argument("--auto-approve", action="store_true", help="approve consent at once (scripted runs)")
    p.add_argument(
        "--fail-rate", type=argtypes.number(0, 1), default=0.0, metavar="R", help="share of data calls that fail (0..1)"
    )
    p.add_argument(
        "--latency-ms",
        type=argtypes.integer(0, 60_000),
        default=0,
        metavar="N",
        help="delay every data call by N ms (at most 60000)",
    )
    p.add_argument("--dump", action="store_true", help="print the ground truth of every provider as JSON and exit")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    sandbox = Sandbox(
        seed=args.seed,
        transactions=args.transactions,
        auto_approve=args.auto_approve,
        fail_rate=args.fail_rate,
        latency_ms=args.latency_ms,
        port=args.port,
    )
    url = sandbox.start()
    try:
        if args.dump:
            json.dump({p: sandbox.ground_truth(p) for p in PROVIDERS}, sys.stdout, indent=1, ensure_ascii=False)
            sys.stdout.write("\n")
            return 0
        print(f"sandbox: {url}", flush=True)
        print(f"admin: {url}/_admin/state (Ctrl+C stops)", file=sys.stderr, flush=True)
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        stop.wait()
        return 0
    finally:
        sandbox.stop()
