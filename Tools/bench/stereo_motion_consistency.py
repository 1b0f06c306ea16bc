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

With --by-position, each track also gets the disparity offset δ (true = measured + δ, added to both
frames) that best explains its own motion under the ground truth's (a 1-D search, (u, v, d)
residuals), and the median δ is printed per band of image row and of image column, and per frame
for the left and right halves: an offset of the rig is the same everywhere, while a moving object
sits in some frames and places, and an error of the ground truth's rotation (or of the cameras'
relative focal length) splits the image's left and right halves in every frame.

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
                pairs.append((frames[k - 1][tid], (u, v, d), motion, k))
    return pairs


def errors(pairs, cam, s):
    f, cx, cy, b = cam
    disparity, horizontal = [], []
    for (up, vp, dp, _), (u, v, d), motion, _ in pairs:
        z = f * b / (s * dp)
        q = motion @ np.array([(up - cx) * z / f, (vp - cy) * z / f, z, 1.0])
        if q[2] > 0.5:
            disparity.append(s * d - f * b / q[2])
            horizontal.append(u - (f * q[0] / q[2] + cx))
    return np.array(disparity), np.array(horizontal)


def track_offsets(pairs, cam, offsets=np.arange(-3, 5.001, 0.02)):
    """Per track: (u, v, d, frame, δ), δ minimising its whitened (u, v, d) residual under the
    ground-truth motion (σ² 0.5 px² in u and v, 0.1 px² in d); tracks whose best δ is at the
    search's edge or whose residual stays large (mistracks) are left out."""
    f, cx, cy, b = cam
    rows = []
    for (up, vp, dp, _), (u, v, d), motion, k in pairs:
        dk, dc = dp + offsets, d + offsets
        valid = (dk > 0.2) & (dc > 0.2)
        z = f * b / np.where(valid, dk, 1.0)
        q = motion @ np.stack([(up - cx) * z / f, (vp - cy) * z / f, z, np.ones_like(z)])
        qz = np.maximum(q[2], 0.1)
        cost = ((f * q[0] / qz + cx - u) ** 2 + (f * q[1] / qz + cy - v) ** 2) / 0.5 + (f * b / qz - dc) ** 2 / 0.1
        cost[~valid] = np.inf
        i = int(np.argmin(cost))
        if 0 < i < len(offsets) - 1 and cost[i] < 30:
            rows.append((u, v, d, k, offsets[i]))
    return np.array(rows)


def print_offsets(pairs, cam):
    a = track_offsets(pairs, cam)
    print(f"offset per track under the ground-truth motion: {len(a)} tracks, median δ {np.median(a[:, 4]):+.2f} px")
    for column, name, edges in ((1, "row", [0, 120, 180, 230, 2000]), (0, "column", [0, 300, 500, 700, 900, 5000])):
        for lo, hi in zip(edges[:-1], edges[1:]):
            m = (a[:, column] >= lo) & (a[:, column] < hi)
            if m.sum() >= 20:
                x = a[m, 4]
                print(f"  {name} {lo:>4d}–{hi:<4d}: {m.sum():5d} tracks, median δ {np.median(x):+.2f} px "
                      f"(IQR {np.percentile(x, 25):+.2f} … {np.percentile(x, 75):+.2f})")
    cx = cam[1]
    halves = []
    for k in sorted(set(a[:, 3].astype(int))):
        left = a[(a[:, 3] == k) & (a[:, 0] < cx - 50), 4]
        right = a[(a[:, 3] == k) & (a[:, 0] > cx + 50), 4]
        if len(left) > 5 and len(right) > 5:
            halves.append(f"{k}: {np.median(left):+.1f}/{np.median(right):+.1f}")
    print("  per frame, median δ left / right of the centre:", ", ".join(halves))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("features"), ap.add_argument("poses"), ap.add_argument("calib")
    ap.add_argument("--bands", default="0,5,8,12,20,40,1000")
    ap.add_argument("--by-position", action="store_true", help="per-track offsets by image row, column and frame")
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
    if a.by_position:
        print_offsets(pairs, cam)


if __name__ == "__main__":
    main()
