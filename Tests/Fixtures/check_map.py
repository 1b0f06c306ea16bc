"""Reads a run's map.ply with plyfile (an independent PLY reader) and checks it against the run's
own files: the point count in summary.json, keyframes that exist in frames.csv, every point in
front of its keyframe's camera and projecting onto the pixel whose grey value it carries, a
symmetric positive semi-definite covariance that grows with depth. Usage:

    python3 check_map.py RUN_DIR SEQUENCE_DIR [ASCII_RUN_DIR]

SEQUENCE_DIR is the KITTI-layout folder the run read (calib.txt, image_0/). With ASCII_RUN_DIR
(the same run with --map-ascii), the two files must hold the same values. Exits non-zero with a
message on the first failure.
"""
import csv
import json
import os
import sys

import numpy as np
from PIL import Image
from plyfile import PlyData


def fail(message):
    sys.exit("check_map: " + message)


def main():
    run, sequence = sys.argv[1], sys.argv[2]
    vertex = PlyData.read(os.path.join(run, "map.ply"))["vertex"].data
    summary = json.load(open(os.path.join(run, "summary.json")))
    if len(vertex) != summary["mapPoints"] or len(vertex) == 0:
        fail(f"{len(vertex)} points in map.ply, summary.json says {summary['mapPoints']}")
    states = {int(r["index"]): r["state"] for r in csv.DictReader(open(os.path.join(run, "frames.csv")))}
    keyframes = {i for i, s in states.items() if s in ("initialised", "keyframe", "lost")}
    if not set(np.unique(vertex["keyframe"]).tolist()) <= keyframes:
        fail("a point names a keyframe that frames.csv does not have")
    if (vertex["observations"] < 1).any():
        fail("a point observed by no keyframe")
    poses = np.loadtxt(os.path.join(run, "trajectory_corrected_kitti.txt")).reshape(-1, 3, 4)
    p0 = next(np.array(l.split()[1:13], float).reshape(3, 4) for l in open(os.path.join(sequence, "calib.txt"))
              if l.startswith("P0:"))
    xyz = np.stack([vertex["x"], vertex["y"], vertex["z"]], 1)
    cov = np.stack([vertex[k] for k in ("cov_xx", "cov_xy", "cov_xz", "cov_xy", "cov_yy", "cov_yz", "cov_xz", "cov_yz", "cov_zz")],
                   1).reshape(-1, 3, 3).astype(np.float64)
    depth, trace, mismatched = [], [], 0
    for k in sorted(np.unique(vertex["keyframe"])):
        sel = vertex["keyframe"] == k
        r, t = poses[k][:, :3], poses[k][:, 3]
        cam = (xyz[sel] - t) @ r                      # R^T (p - t), row by row
        if (cam[:, 2] <= 0).any():
            fail(f"a point of keyframe {k} lies behind its camera")
        u = p0[0, 0] * cam[:, 0] / cam[:, 2] + p0[0, 2]
        v = p0[1, 1] * cam[:, 1] / cam[:, 2] + p0[1, 2]
        image = np.asarray(Image.open(os.path.join(sequence, "image_0", f"{k:06d}.png")).convert("L"))
        ui = np.clip(np.rint(u).astype(int), 0, image.shape[1] - 1)
        vi = np.clip(np.rint(v).astype(int), 0, image.shape[0] - 1)
        mismatched += int((image[vi, ui] != vertex["red"][sel]).sum())
        camera_cov = np.einsum("ji,njk,kl->nil", r, cov[sel], r)
        depth += cam[:, 2].tolist()
        trace += np.trace(camera_cov, axis1=1, axis2=2).tolist()
    if mismatched > 0.01 * len(vertex):
        fail(f"{mismatched} of {len(vertex)} points carry a grey value other than their keyframe pixel's")
    if not ((vertex["red"] == vertex["green"]) & (vertex["green"] == vertex["blue"])).all():
        fail("red, green and blue differ (the map is grey)")
    eig = np.linalg.eigvalsh(cov)
    if (eig < -1e-6 * np.maximum(eig.max(axis=1, keepdims=True), 1e-12)).any():
        fail("a covariance is not positive semi-definite")
    rank = lambda x: np.argsort(np.argsort(x))
    rho = np.corrcoef(rank(np.array(depth)), rank(np.array(trace)))[0, 1]
    if rho < 0.5:
        fail(f"covariance trace does not grow with depth (Spearman {rho:.2f})")
    if len(sys.argv) > 3:
        ascii_vertex = PlyData.read(os.path.join(sys.argv[3], "map.ply"))["vertex"].data
        for name in vertex.dtype.names:
            a, b = vertex[name].astype(np.float64), ascii_vertex[name].astype(np.float64)
            if a.shape != b.shape or not np.allclose(a, b, rtol=1e-6, atol=1e-9):
                fail(f"binary and ASCII maps differ in {name}")
    print(f"check_map: {len(vertex)} points of {len(keyframes)} keyframes agree with the run "
          f"(grey values {len(vertex) - mismatched}/{len(vertex)}, depth-trace Spearman {rho:.2f})")


if __name__ == "__main__":
    main()
