"""`saldo sandbox`: run the provider simulator standalone on loopback."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import Any

from desktop_app.sandbox.app import Sandbox
from desktop_app.sandbox.server import PROVIDERS


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("sandbox", parents=[common], help="run the provider simulator (Demo Bank and all providers)")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    p.add_argument("--seed", type=int, default=1, help="seed of the synthetic data")
    p.add_argument("--transactions", type=int, default=2000, metavar="N", help="size of the Demo Bank's history")
    p.add_argument("--auto-approve", action="store_true", help="approve consent at once (scripted runs)")
    p.add_argument("--fail-rate", type=float, default=0.0, metavar="R", help="share of data calls that fail (0..1)")
    p.add_argument("--latency-ms", type=int, default=0, metavar="N", help="delay every data call by N ms")
    p.add_argument("--dump", action="store_true", help="print the ground truth as JSON and exit")
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
    if args.dump:
        json.dump({p: sandbox.ground_truth(p) for p in PROVIDERS}, sys.stdout, indent=1)
        sys.stdout.write("\n")
        sandbox.stop()
        return 0
    print(f"sandbox: {url}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    sandbox.stop()
    return 0
