#!/usr/bin/env python3
"""Side-by-side pose-graph benchmark: GTSAM (chordal/LAGO init + LM), g2o (LM) and `parallax pgo`.

For every graph all solvers run in the same session; each writes its optimised poses, and the chi2
of EVERY result is computed by the same function, `parallax pgo --chi2-only`, on files that hold
the solver's vertices and the ORIGINAL edges. chi2 'log' is sum r'Λr with r = Log(Z^-1 Ti^-1 Tj)
(GTSAM's BetweenFactor error ×2); 'g2o' uses g2o's EdgeSE3 error (quaternion vector part).
Times: read + initialise + optimise (no process start-up, no writing), the median of --repeat runs,
the solvers alternating so that all see the same machine load.

GTSAM: prior on pose 0, chordal (3D) or LAGO (2D) init (LAGO needs diagonal information, else
readG2o's poses: the file's, or for edges only the edges chained in file order), LM, relative tol 1e-6.
g2o (PyPI `g2opy`, built without CHOLMOD): SparseOptimizer, SE3/SE2 block solver with the Eigen
sparse Cholesky, LM, vertex 0 fixed, at most 100 iterations, stopped by SparseOptimizerTerminateAction
at a relative chi2 decrease below 1e-6 (as the `g2o` CLI's -stopGain). It starts from the file's
vertices; a file with edges only gets identity vertices (g2o's reader drops edges whose vertices
are missing, so reading it costs an extra pass) and then the spanning tree of computeInitialGuess,
as the `g2o` CLI's -guess. Its poses are written with full precision (g2o's save keeps 6 digits).
Parallax: `pgo FILE --out OUT` plus each --parallax-args (repeatable; default: no flags, so
parallax's defaults). A solver that cannot read or solve a graph is shown as n/a, its error on stderr.

usage: Tools/bench/pgo_vs_gtsam.py [--parallax .build/release/parallax] [--data DIR] [--repeat N]
                                   [--parallax-args ARGS ...] [graphs...]
"""
import argparse, glob, importlib.metadata, os, re, shlex, statistics, subprocess, sys, tempfile, time

import g2opy as g2o
import gtsam
import numpy as np


def run_gtsam(path, is3d, has_vertices, out):
    t0 = time.perf_counter()
    graph, initial = gtsam.readG2o(path, is3d)
    t1 = time.perf_counter()
    if is3d:
        prior = gtsam.noiseModel.Diagonal.Variances(np.full(6, 1e-6))
        graph_p = gtsam.NonlinearFactorGraph(graph)
        graph_p.add(gtsam.PriorFactorPose3(0, gtsam.Pose3(), prior))
        init = gtsam.InitializePose3.initialize(graph_p)
    else:
        prior = gtsam.noiseModel.Diagonal.Variances(np.full(3, 1e-6))
        graph_p = gtsam.NonlinearFactorGraph(graph)
        graph_p.add(gtsam.PriorFactorPose2(0, gtsam.Pose2(), prior))
        try:
            init = gtsam.lago.initialize(graph_p)
            how = "lago"
        except (ValueError, RuntimeError, IndexError):
            # LAGO needs diagonal noise models (and fails with map::at on ais2klinik): fall back to
            # readG2o's poses, which for a file with edges only are the edges chained in file order.
            init, how = initial, ("file" if has_vertices else "chain")
    t2 = time.perf_counter()
    params = gtsam.LevenbergMarquardtParams()
    params.setRelativeErrorTol(1e-6)
    optimizer = gtsam.LevenbergMarquardtOptimizer(graph_p, init, params)
    result = optimizer.optimize()
    t3 = time.perf_counter()
    gtsam.writeG2o(graph, result, out)
    return {"total": t3 - t0, "iters": optimizer.iterations(), "how": "chordal" if is3d else how}


def run_g2o(path, is3d, has_vertices, out):
    t0 = time.perf_counter()
    optimizer = g2o.SparseOptimizer()
    solver = (g2o.BlockSolverSE3(g2o.LinearSolverEigenSE3()) if is3d
              else g2o.BlockSolverSE2(g2o.LinearSolverEigenSE2()))
    optimizer.set_algorithm(g2o.OptimizationAlgorithmLevenberg(solver))
    if not has_vertices:
        with open(path) as f:
            ids = {int(t) for l in f if l.startswith("EDGE") for t in l.split()[1:3]}
        for i in sorted(ids):
            v = g2o.VertexSE3() if is3d else g2o.VertexSE2()
            v.set_id(i)
            optimizer.add_vertex(v)
    n_edges = sum(1 for _ in open(path) if _.startswith("EDGE"))
    if not optimizer.load(path) or len(optimizer.edges()) != n_edges or optimizer.vertex(0) is None:
        raise RuntimeError(f"g2o read {len(optimizer.edges())} of {n_edges} edges")
    t1 = time.perf_counter()
    optimizer.vertex(0).set_fixed(True)
    optimizer.initialize_optimization()
    if not has_vertices:
        optimizer.compute_initial_guess()
    t2 = time.perf_counter()
    stop = g2o.SparseOptimizerTerminateAction()
    stop.set_gain_threshold(1e-6)
    stop.set_max_iterations(100)
    optimizer.add_post_iteration_action(stop)
    iters = optimizer.optimize(100)
    t3 = time.perf_counter()
    if not np.isfinite(optimizer.chi2()):
        raise RuntimeError(f"g2o chi2 {optimizer.chi2()}")
    with open(out, "w") as f:
        for i in sorted(optimizer.vertices()):
            pose = optimizer.vertex(i).estimate()
            if is3d:
                vals = list(pose.translation()) + list(pose.rotation().coeffs())   # x y z qx qy qz qw
                f.write(f"VERTEX_SE3:QUAT {i} " + " ".join(repr(float(x)) for x in vals) + "\n")
            else:
                f.write(f"VERTEX_SE2 {i} " + " ".join(repr(float(x)) for x in pose.to_vector()) + "\n")
    return {"total": t3 - t0, "iters": iters, "how": "file" if has_vertices else "tree"}


def run_parallax(exe, args, path, out):
    proc = subprocess.run([exe, "pgo", path, "--out", out, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError((proc.stderr or proc.stdout).strip().splitlines()[-1])
    num = lambda pat: float(re.search(pat, proc.stdout, re.MULTILINE).group(1))
    return {"total": num(r"read: ([\d.]+) s") + num(r"^init .*: ([\d.]+) s$") + num(r"optimise \w+: ([\d.]+) s"),
            "iters": int(num(r"s, (\d+) iterations"))}


def chi2_with_original_edges(exe, original, solved, tmp):
    """chi2 of `solved`'s vertices under `original`'s edges, by parallax's g2o chi2 function."""
    with open(solved) as f:
        vertices = [l for l in f if l.startswith("VERTEX")]
    with open(original) as f:
        edges = [l for l in f if l.startswith("EDGE") or l.startswith("FIX")]
    combined = os.path.join(tmp, "combined.g2o")
    with open(combined, "w") as f:
        f.writelines(vertices + edges)
    text = subprocess.run([exe, "pgo", combined, "--chi2-only"], check=True, capture_output=True, text=True).stdout
    return float(re.search(r"chi2 log: (\S+)", text).group(1)), float(re.search(r"chi2 g2o: (\S+)", text).group(1))


def benchmark(solvers, repeat, exe, path, tmp):
    """{solver: (chi2 log, chi2 g2o, median s, iters, how) or None}; the solvers alternate in each round."""
    runs = {name: [] for name in solvers}
    failed = set()
    for _ in range(repeat):
        for name, run in solvers.items():
            if name in failed:
                continue
            try:
                runs[name].append(run(os.path.join(tmp, name + ".g2o")))
            except Exception as e:   # unreadable graph, failed init or solve: n/a, not a crash
                print(f"{os.path.basename(path)}: {name}: {type(e).__name__}: {' '.join(str(e).split())[:200]}",
                      file=sys.stderr)
                failed.add(name)
    results = {}
    for name, rs in runs.items():
        results[name] = None
        if name in failed:
            continue
        try:
            log, g2o_chi2 = chi2_with_original_edges(exe, path, os.path.join(tmp, name + ".g2o"), tmp)
        except subprocess.CalledProcessError as e:   # e.g. the result lacks a vertex that an edge names
            print(f"{os.path.basename(path)}: {name}: chi2: {e.stderr.strip()}", file=sys.stderr)
            continue
        results[name] = (log, g2o_chi2, statistics.median(r["total"] for r in rs), rs[-1]["iters"], rs[-1].get("how"))
    return results


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--parallax", default=os.path.join(here, "../../.build/release/parallax"))
    ap.add_argument("--data", default=os.environ.get("PARALLAX_DATASETS", os.path.join(here, "../../../shared/datasets")))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--parallax-args", action="append", metavar="ARGS",
                    help="extra `parallax pgo` flags, e.g. '--init chordal'; repeat for one column each (default: none)")
    ap.add_argument("graphs", nargs="*", help="graph names (default: every .g2o in DATA/posegraphs, 3D first)")
    a = ap.parse_args()
    configs = a.parallax_args or [""]
    folder = os.path.join(a.data, "posegraphs")
    graphs = a.graphs or [os.path.basename(p)[:-4] for p in sorted(glob.glob(os.path.join(folder, "*.g2o")))]
    meta = {}
    for name in graphs:
        with open(os.path.join(folder, name + ".g2o")) as f:
            lines = f.readlines()
        meta[name] = (any("SE3" in l for l in lines if l.startswith(("VERTEX", "EDGE"))),
                      any(l.startswith("VERTEX") for l in lines))
    graphs.sort(key=lambda n: not meta[n][0])
    columns = ["GTSAM", "g2o"] + [f"Parallax{' ' + c if c else ''}" for c in configs]
    print(f"gtsam {importlib.metadata.version('gtsam')}, g2opy {importlib.metadata.version('g2opy')}, "
          f"parallax {os.path.realpath(a.parallax)}")
    print("| graph | " + " | ".join(f"{c} chi2 log" for c in columns) + " | " + " | ".join(f"{c} chi2 g2o" for c in columns)
          + " | " + " | ".join(f"{c} s (iters)" for c in columns)
          + " | " + " | ".join(f"{c} s / GTSAM s" for c in columns[2:]) + " |")
    print("|---" * (1 + 4 * len(columns) - 2) + "|")
    with tempfile.TemporaryDirectory() as tmp:
        for name in graphs:
            path = os.path.join(folder, name + ".g2o")
            is3d, has_vertices = meta[name]
            solvers = {"GTSAM": lambda out: run_gtsam(path, is3d, has_vertices, out),
                       "g2o": lambda out: run_g2o(path, is3d, has_vertices, out)}
            for col, c in zip(columns[2:], configs):
                solvers[col] = lambda out, args=shlex.split(c): run_parallax(a.parallax, args, path, out)
            r = benchmark(solvers, a.repeat, a.parallax, path, tmp)
            cell = lambda c, fmt: "n/a" if r[c] is None else fmt(*r[c])
            hows = "/".join(r[c][4] if r[c] else "n/a" for c in columns[:2])
            print(f"| {name} ({hows}) | " + " | ".join(cell(c, lambda l, *_: f"{l:.10g}") for c in columns)
                  + " | " + " | ".join(cell(c, lambda l, g, *_: f"{g:.9g}") for c in columns)
                  + " | " + " | ".join(cell(c, lambda l, g, s, i, *_: f"{s:.3f} ({i})") for c in columns)
                  + " | " + " | ".join("n/a" if r[c] is None or r["GTSAM"] is None else f"{r[c][2] / r['GTSAM'][2]:.2f}"
                                       for c in columns[2:]) + " |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
