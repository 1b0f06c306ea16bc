#!/usr/bin/env python3
"""Runs the runs of a Parallax batch manifest on a Ray cluster, and writes the same results
tables as `parallax batch` (results.csv, results.json, results.html).

    python3 Tools/batch/ray_batch.py MANIFEST --out DIR [--address ADDR] [--cpus-per-run N] [--parallax PATH]

- ADDR is what `ray.init` takes ("auto", "ray://head:10001", ...); without it, a local Ray
  instance is started for the duration of the batch.
- Each run is a Ray task that starts `parallax run` on whichever node Ray picks; every node needs
  `parallax` (Tools/install puts it in PREFIX/bin; pass --parallax if it is not on PATH there),
  and the datasets and DIR on a path every node sees (an NFS export or object storage mounted at
  the same path on every node).
- A task asks Ray for --cpus-per-run CPUs (default 2: the odometry and its frame decoding), so a
  node runs at most (its CPUs / N) runs at once. A run whose worker died (node lost, process
  killed) is retried up to 2 times by Ray; a run that fails by itself (bad data) is recorded as
  failed and the others go on.
- The manifest is read, checked and turned into `parallax run` commands by `parallax batch --plan`
  and the tables are built by `parallax batch --collect`: one reading of the manifest and one
  table for both executors. Runs that already finished in DIR are skipped (--rerun: run them).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import ray


def parallax_path(given):
    path = given or shutil.which("parallax")
    if not path:
        sys.exit("ray_batch: no `parallax` on PATH (pass --parallax PATH)")
    return os.path.abspath(path)


@ray.remote(max_retries=2)
def run_one(parallax, name, folder, arguments):
    """One `parallax run` on a worker node; leaves batch.json (exit status, last error line)."""
    log = os.path.join(folder, "batch.log")
    # A run redone must not be taken for finished (or show old figures) if it stops early.
    for stale in ("batch.json", "summary.json"):
        try:
            os.remove(os.path.join(folder, stale))
        except FileNotFoundError:
            pass
    with open(log, "w") as out:
        try:
            status = subprocess.run([parallax] + arguments, stdout=out, stderr=subprocess.STDOUT).returncode
            error = None
        except OSError as e:
            status, error = 127, f"cannot start {parallax}: {e}"
    if status != 0 and error is None:
        lines = [l for l in open(log, errors="replace").read().splitlines() if "rror" in l or ":" in l]
        error = lines[-1] if lines else f"exit status {status}"
    with open(os.path.join(folder, "batch.json"), "w") as f:
        json.dump({"exitStatus": status, "error": error}, f)
    return name, status


def finished(folder):
    try:
        outcome = json.load(open(os.path.join(folder, "batch.json")))
        summary = json.load(open(os.path.join(folder, "summary.json")))
    except (OSError, ValueError):
        return False
    return outcome.get("exitStatus") == 0 and not summary.get("interrupted", False)


def main():
    parser = argparse.ArgumentParser(description="Run a Parallax batch manifest on a Ray cluster.")
    parser.add_argument("manifest")
    parser.add_argument("--out", required=True, help="output folder, on a path every node sees")
    parser.add_argument("--address", default=None, help="Ray address (as ray.init takes it); default: a local instance")
    parser.add_argument("--cpus-per-run", type=float, default=2, help="CPUs Ray reserves per run (default 2)")
    parser.add_argument("--parallax", default=None, help="the parallax executable (default: from PATH)")
    parser.add_argument("--rerun", action="store_true", help="run again the runs that already finished")
    args = parser.parse_args()
    parallax = parallax_path(args.parallax)
    out = os.path.abspath(args.out)

    plan = subprocess.run([parallax, "batch", args.manifest, "--out", out, "--plan"], capture_output=True, text=True)
    if plan.returncode != 0:
        sys.exit(plan.stderr.strip() or "ray_batch: parallax batch --plan failed")
    runs = json.loads(plan.stdout)
    pending = [r for r in runs if args.rerun or not finished(r["folder"])]

    ray.init(address=args.address, log_to_driver=False)
    print(f"ray_batch: {len(pending)} of {len(runs)} runs to do on {ray.cluster_resources().get('CPU', 0):.0f} CPUs, "
          f"{args.cpus_per_run:g} per run", file=sys.stderr)
    task = run_one.options(num_cpus=args.cpus_per_run)
    waiting = [task.remote(parallax, r["name"], r["folder"], r["arguments"]) for r in pending]
    start, done = time.time(), 0
    while waiting:
        ready, waiting = ray.wait(waiting, num_returns=1)
        for ref in ready:
            try:
                name, status = ray.get(ref)
            except ray.exceptions.RayError as e:   # the worker died more often than the retries allow
                name, status = "?", f"worker lost ({type(e).__name__})"
            done += 1
            elapsed = time.time() - start
            eta = elapsed / done * (len(pending) - done)
            print(f"ray_batch: {done}/{len(pending)} {name} {'ok' if status == 0 else 'failed'} "
                  f"({elapsed:.0f} s, ETA {eta:.0f} s)", file=sys.stderr)
    ray.shutdown()

    collect = subprocess.run([parallax, "batch", args.manifest, "--out", out, "--collect"])
    sys.exit(collect.returncode)


if __name__ == "__main__":
    main()
