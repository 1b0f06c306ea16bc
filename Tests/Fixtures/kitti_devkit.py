#!/usr/bin/env python3
"""Independent reference of the KITTI odometry devkit's metrics (evaluate_odometry.cpp).

A line-by-line transcription of the devkit's C++ (loadPoses, trajectoryDistances,
lastFrameFromSegmentLength, rotationError, translationError, calcSequenceErrors) in plain
Python, sharing no code with Parallax. As in the devkit, distances along the ground truth and
segment lengths are single-precision floats. Averages are taken in double precision.

usage: kitti_devkit.py GT_POSES EST_POSES
Prints JSON: {"t_err_percent", "r_err_deg_per_100m", "segments", "per_length": [...]}.
"""
import json
import math
import struct
import sys

LENGTHS = [100, 200, 300, 400, 500, 600, 700, 800]
STEP_SIZE = 10


def f32(x):
    """Round a Python float to IEEE single precision, as storing into a C++ float does."""
    return struct.unpack("f", struct.pack("f", x))[0]


def load_poses(path):
    poses = []
    with open(path) as f:
        for line in f:
            v = [float(x) for x in line.split()]
            if len(v) != 12:
                continue
            poses.append([v[0:4], v[4:8], v[8:12], [0.0, 0.0, 0.0, 1.0]])
    return poses


def matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(4)) for j in range(4)] for i in range(4)]


def inverse(p):
    # Rigid-body inverse [R^T, -R^T t] (the devkit calls Matrix::inv, a general inverse; for
    # these near-orthonormal poses both agree far below the tolerances used).
    r = [[p[j][i] for j in range(3)] for i in range(3)]
    t = [-sum(r[i][k] * p[k][3] for k in range(3)) for i in range(3)]
    return [r[0] + [t[0]], r[1] + [t[1]], r[2] + [t[2]], [0.0, 0.0, 0.0, 1.0]]


def trajectory_distances(poses):
    dist = [f32(0.0)]
    for i in range(1, len(poses)):
        p1, p2 = poses[i - 1], poses[i]
        dx, dy, dz = p1[0][3] - p2[0][3], p1[1][3] - p2[1][3], p1[2][3] - p2[2][3]
        dist.append(f32(dist[i - 1] + math.sqrt(dx * dx + dy * dy + dz * dz)))
    return dist


def last_frame_from_segment_length(dist, first_frame, length):
    threshold = f32(dist[first_frame] + length)
    for i in range(first_frame, len(dist)):
        if dist[i] > threshold:
            return i
    return -1


def rotation_error(e):
    d = 0.5 * (e[0][0] + e[1][1] + e[2][2] - 1.0)
    return math.acos(max(min(d, 1.0), -1.0))


def translation_error(e):
    return math.sqrt(e[0][3] ** 2 + e[1][3] ** 2 + e[2][3] ** 2)


def calc_sequence_errors(gt, est):
    errors = []
    dist = trajectory_distances(gt)
    for first_frame in range(0, len(gt), STEP_SIZE):
        for length in LENGTHS:
            length = f32(length)
            last_frame = last_frame_from_segment_length(dist, first_frame, length)
            if last_frame == -1:
                continue
            delta_gt = matmul(inverse(gt[first_frame]), gt[last_frame])
            delta_est = matmul(inverse(est[first_frame]), est[last_frame])
            e = matmul(inverse(delta_est), delta_gt)
            errors.append((first_frame, rotation_error(e) / length, translation_error(e) / length, length))
    return errors


def main():
    gt, est = load_poses(sys.argv[1]), load_poses(sys.argv[2])
    if len(gt) != len(est):
        sys.exit(f"ground truth has {len(gt)} poses, estimate {len(est)}")
    errors = calc_sequence_errors(gt, est)
    n = len(errors)
    per_length = []
    for length in LENGTHS:
        sel = [e for e in errors if abs(e[3] - length) < 1.0]
        if sel:
            per_length.append({
                "length": length, "segments": len(sel),
                "t_err_percent": sum(e[2] for e in sel) / len(sel) * 100,
                "r_err_deg_per_100m": sum(e[1] for e in sel) / len(sel) * 180 / math.pi * 100,
            })
    print(json.dumps({
        "t_err_percent": sum(e[2] for e in errors) / n * 100,
        "r_err_deg_per_100m": sum(e[1] for e in errors) / n * 180 / math.pi * 100,
        "segments": n,
        "per_length": per_length,
    }))


if __name__ == "__main__":
    main()
