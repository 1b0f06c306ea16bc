#!/usr/bin/env python3
"""Side-by-side pose-graph benchmark: GTSAM (chordal/LAGO init + LM) vs `parallax pgo`.

For every graph both solvers run in the same session; each writes its optimised poses, and the
chi2 of BOTH results is computed by the same function, `parallax pgo --chi2-only`, on files that
hold the solver's vertices and the ORIGINAL edges. chi2 'log' is sum r'Λr with r = Log(Z^-1 Ti^-1 Tj)
(GTSAM's BetweenFactor error ×2); 'g2o' uses g2o's EdgeSE3 error (quaternion vector part).
Times: read + initialise + optimise (no process start-up, no writing), the median of --repeat runs,
GTSAM and Parallax alternating so that both see the same machine load.

usage: Tools/bench/pgo_vs_gtsam.py [--parallax .build/release/parallax] [--data DIR] [--repeat N] [graphs...]
"""
import argparse, os, re, statistics, subprocess, sys, tempfile, time

import gtsam
import numpy as np

GRAPHS_3D = ["parking-garage", "sphere2500", "sphere_bignoise_vertex3"]
GRAPHS_2D = ["intel", "city10000", "manhattan", "kitti_00"]


def run_gtsam(path, is3d, out):
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
        except (ValueError, RuntimeError):
            # LAGO needs diagonal noise models: fall back to the file's poses, else chain the edges.
            init, how = (initial, "file") if initial.size() > 0 else (chain_pose2(graph), "chain")
    t2 = time.perf_counter()
    params = gtsam.LevenbergMarquardtParams()
    params.setRelativeErrorTol(1e-6)
    optimizer = gtsam.LevenbergMarquardtOptimizer(graph_p, init, params)
    result = optimizer.optimize()
    t3 = time.perf_counter()
    gtsam.writeG2o(graph, result, out)
    return {"read": t1 - t0, "init": t2 - t1, "opt": t3 - t2, "total": t3 - t0, "iters": optimizer.iterations(),
            "how": "chordal" if is3d else how}


def chain_pose2(graph):
    """Initial Pose2 values by composing BetweenFactorPose2 measurements from key 0 (BFS)."""
    adj = {}
    for k in range(graph.size()):
        f = graph.at(k)
        if isinstance(f, gtsam.BetweenFactorPose2):
            a, b = f.keys()
            adj.setdefault(a, []).append((b, f.measured()))
            adj.setdefault(b, []).append((a, f.measured().inverse()))
    values, queue = gtsam.Values(), [min(adj)]
    values.insert(queue[0], gtsam.Pose2())
    while queue:
        a = queue.pop(0)
        for b, z in sorted(adj[a], key=lambda e: abs(e[0] - a)):
            if not values.exists(b):
                values.insert(b, values.atPose2(a).compose(z))
                queue.append(b)
    return values


def run_parallax(exe, path, out):
    text = subprocess.run([exe, "pgo", path, "--out", out, "--init", "chordal"], check=True,
                          capture_output=True, text=True).stdout
    num = lambda pat: float(re.search(pat, text).group(1))
    r = {"read": num(r"read: ([\d.]+) s"), "init": num(r"init \w+: ([\d.]+) s"),
         "opt": num(r"optimise \w+: ([\d.]+) s"), "iters": int(num(r"s, (\d+) iterations"))}
    r["total"] = r["read"] + r["init"] + r["opt"]
    return r


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


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--parallax", default=os.path.join(here, "../../.build/release/parallax"))
    ap.add_argument("--data", default=os.environ.get("PARALLAX_DATASETS", os.path.join(here, "../../../shared/datasets")))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("graphs", nargs="*", default=GRAPHS_3D + GRAPHS_2D)
    a = ap.parse_args()
    print(f"gtsam {gtsam.__version__ if hasattr(gtsam, '__version__') else '?'}")
    print("| graph | GTSAM chi2 log | Parallax chi2 log | GTSAM chi2 g2o | Parallax chi2 g2o | GTSAM s (iters) | Parallax s (iters) | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name in a.graphs:
            path = os.path.join(a.data, "posegraphs", name + ".g2o")
            with open(path) as f:
                is3d = "SE3" in f.readline()
            g_out, p_out = os.path.join(tmp, "gtsam.g2o"), os.path.join(tmp, "parallax.g2o")
            gs, ps = [], []
            for _ in range(a.repeat):   # alternate, so that both see the same load
                gs.append(run_gtsam(path, is3d, g_out))
                ps.append(run_parallax(a.parallax, path, p_out))
            gt, pt = statistics.median(r["total"] for r in gs), statistics.median(r["total"] for r in ps)
            g, p = gs[-1], ps[-1]
            gl, gg = chi2_with_original_edges(a.parallax, path, g_out, tmp)
            pl, pg = chi2_with_original_edges(a.parallax, path, p_out, tmp)
            print(f"| {name} ({g['how']}) | {gl:.10g} | {pl:.10g} | {gg:.9g} | {pg:.9g} | {gt:.3f} ({g['iters']}) "
                  f"| {pt:.3f} ({p['iters']}) | {pt / gt:.2f} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
