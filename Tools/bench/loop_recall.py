#!/usr/bin/env python3
"""Precision and recall of loop closure in a `parallax run` output folder against the renderer's
ground truth (a sequence written by `parallax synth`).

    python3 Tools/bench/loop_recall.py RUN_DIR SEQUENCE_DIR [--gap 60] [--radius 2] [--angle 45]

A query keyframe has a true revisit when an older keyframe (at least --gap frames back) is within
--radius metres and --angle degrees of viewing direction by the ground truth (the renderer's
revisit rule, applied to keyframes). Precision: accepted loops whose two keyframes are within
5 m by the ground truth. Recall: share of query keyframes with a true revisit that got an
accepted loop.
"""
import argparse, csv, math, os, sys

def poses(path):
    out = []
    with open(path) as f:
        for line in f:
            v = [float(x) for x in line.split()]
            if len(v) == 12:
                out.append(v)
    return out

def centre(p): return (p[3], p[7], p[11])
def axis(p): return (p[2], p[6], p[10])

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run"); ap.add_argument("sequence")
    ap.add_argument("--gap", type=int, default=60); ap.add_argument("--radius", type=float, default=2.0)
    ap.add_argument("--angle", type=float, default=45.0)
    a = ap.parse_args()
    gt_path = os.path.join(a.sequence, "poses", "00.txt")
    if not os.path.exists(gt_path):
        sys.exit(f"{gt_path}: no ground truth poses")
    gt = poses(gt_path)
    with open(os.path.join(a.run, "frames.csv")) as f:
        kfs = [int(r["index"]) for r in csv.DictReader(f) if r["state"] in ("keyframe", "initialised")]
    loops = list(csv.DictReader(open(os.path.join(a.run, "loops.csv"))))
    def dist(i, j): return math.dist(centre(gt[i]), centre(gt[j]))
    def ang(i, j):
        x, y = axis(gt[i]), axis(gt[j])
        return math.degrees(math.acos(max(-1, min(1, sum(p * q for p, q in zip(x, y))))))
    truth = {q for q in kfs if any(c <= q - a.gap and dist(c, q) <= a.radius and ang(c, q) <= a.angle for c in kfs)}
    accepted = [l for l in loops if l["status"] == "accepted"]
    true_pos = [l for l in accepted if dist(int(l["candidate_frame"]), int(l["query_frame"])) < 5]
    found = {int(l["query_frame"]) for l in true_pos}
    precision = len(true_pos) / len(accepted) if accepted else float("nan")
    recall = len(found & truth) / len(truth) if truth else float("nan")
    print(f"{a.run}: {len(kfs)} keyframes, {len(truth)} with a true revisit; {len(accepted)} loops accepted "
          f"({len(true_pos)} true), {sum(l['status'] == 'unconfirmed' for l in loops)} unconfirmed, "
          f"{sum(l['status'] == 'rejected' for l in loops)} rejected; precision {precision:.2f}, recall {recall:.2f}")

main()
