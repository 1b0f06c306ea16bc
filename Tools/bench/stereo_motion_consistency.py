#!/usr/bin/env python3
"""Is stereo depth consistent with ground-truth motion? A check that needs no depth ground truth.

For every track matched in stereo in two consecutive frames, the point triangulated at frame k-1
is moved by the ground-truth relative pose and projected into frame k; its predicted disparity is
compared with the one measured there (median over tracks, per band of disparity). The same is
repeated with every disparity multiplied by a factor s: the s that zeroes the median error (and
minimises the spread of the horizontal flow residual) says by how much depth from stereo and the
ground-truth translation disagree. s ≈ 1 means they agree; s = 1.06 means the images show 6 %
more motion than the ground truth does (or disparities are 6 % low), which a stereo odometry
reports as a +6 % scale error whatever its solver.

Features come from `parallax bench frontend ... --features-csv FILE` (first pass). Example:

    parallax bench frontend --dataset kitti DATA --sequence 01 --passes 1 --features-csv f01.csv
    python3 Tools/bench/stereo_motion_consistency.py f01.csv DATA/poses/01.txt DATA/sequences/01/calib.txt
"""
import argparse, csv

import numpy as np


def calibration(path):
    rows = {}
    for line in open(path):
        if ":" in line:
            key, values = line.split(":", 1)
            rows[key.strip()] = [float(v) for v in values.split()]
    p0, p1 = rows["P0"], rows["P1"]
    f, cx, cy = p0[0], p0[2], p0[6]
    return f, cx, cy, (p0[3] - p1[3]) / p1[0]


def track_pairs(features, poses):
    frames = {}
    for r in csv.DictReader(open(features)):
        if r["disparity"]:
            frames.setdefault(int(r["frame"]), {})[int(r["id"])] = (float(r["u"]), float(r["v"]), float(r["disparity"]),
                                                                     r["previous_u"] != "")
    gt = [np.vstack([p, [0, 0, 0, 1]]) for p in np.loadtxt(poses).reshape(-1, 3, 4)]
    pairs = []
    for k in sorted(frames):
        if k == 0 or k - 1 not in frames or k >= len(gt):
            continue
        motion = np.linalg.inv(gt[k]) @ gt[k - 1]
        for tid, (u, v, d, tracked) in frames[k].items():
            if tracked and tid in frames[k - 1]:
                pairs.append((frames[k - 1][tid], (u, v, d), motion))
    return pairs


def errors(pairs, cam, s):
    f, cx, cy, b = cam
    disparity, horizontal = [], []
    for (up, vp, dp, _), (u, v, d), motion in pairs:
        z = f * b / (s * dp)
        q = motion @ np.array([(up - cx) * z / f, (vp - cy) * z / f, z, 1.0])
        if q[2] > 0.5:
            disparity.append(s * d - f * b / q[2])
            horizontal.append(u - (f * q[0] / q[2] + cx))
    return np.array(disparity), np.array(horizontal)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("features"), ap.add_argument("poses"), ap.add_argument("calib")
    ap.add_argument("--bands", default="0,5,8,12,20,40,1000")
    a = ap.parse_args()
    cam = calibration(a.calib)
    pairs = track_pairs(a.features, a.poses)
    edges = [float(x) for x in a.bands.split(",")]
    print(f"{len(pairs)} stereo tracks over consecutive frames; f {cam[0]}, baseline {cam[3]:.4f} m")
    for lo, hi in zip(edges[:-1], edges[1:]):
        band = [p for p in pairs if lo <= p[0][2] < hi]
        if len(band) >= 20:
            e, _ = errors(band, cam, 1.0)
            print(f"  disparity {lo:>4.0f}–{hi:<4.0f} px: {len(band):5d} tracks, median error {np.median(e):+.3f} px")
    near = [p for p in pairs if 8 <= p[0][2] < 40]
    print("disparity scale s (tracks of 8–40 px): median disparity error, horizontal flow residual median and MAD")
    for s in np.arange(0.94, 1.081, 0.02):
        e, h = errors(near, cam, s)
        print(f"  s = {s:.2f}: {np.median(e):+.3f} px   {np.median(h):+.3f} px   {np.median(abs(h - np.median(h))):.3f} px")


if __name__ == "__main__":
    main()
