#!/usr/bin/env python3
"""Parity check of `parallax eval ape|rpe` against evo's own Python API.

For each case, evo computes the metric (file_interface readers, sync.associate_trajectories,
main_ape.ape / main_rpe.rpe, exactly what evo_ape / evo_rpe run) and `parallax eval ... --json`
computes it from the same files; every statistic (rmse, mean, median, std, min, max, sse) and
the number of compared poses/pairs must agree to 1e-6 relative (1e-12 absolute for values
near zero, such as the min after origin alignment).

usage: evo_parity.py --parallax PATH/TO/parallax[-eval] --data PATH/TO/shared/datasets [--quick | --smoke]
Exit status 0 when every case agrees, 1 otherwise. Prints the max relative difference per
statistic.
"""
import argparse
import contextlib
import copy
import io
import json
import os
import subprocess
import sys

from evo.core import metrics, sync
from evo.core.trajectory import PoseTrajectory3D
from evo.main_ape import ape
from evo.main_rpe import rpe
from evo.tools import file_interface

REL_TOL = 1e-6
ABS_TOL = 1e-12
STATS = ["rmse", "mean", "median", "std", "min", "max", "sse"]
RELATIONS = {
    "trans_part": metrics.PoseRelation.translation_part,
    "rot_part": metrics.PoseRelation.rotation_part,
    "angle_deg": metrics.PoseRelation.rotation_angle_deg,
    "angle_rad": metrics.PoseRelation.rotation_angle_rad,
    "full": metrics.PoseRelation.full_transformation,
}


_loaded = {}


def load(fmt, ref, est, t_max_diff=0.01, t_offset=0.0):
    """evo's loading and association (cached: the metrics below work on deep copies)."""
    key = (fmt, ref, est, t_max_diff, t_offset)
    if key not in _loaded:
        _loaded[key] = _load(fmt, ref, est, t_max_diff, t_offset)
    return _loaded[key]


def _load(fmt, ref, est, t_max_diff, t_offset):
    if fmt == "kitti":
        r, e = file_interface.read_kitti_poses_file(ref), file_interface.read_kitti_poses_file(est)
    elif fmt == "tum":
        r, e = file_interface.read_tum_trajectory_file(ref), file_interface.read_tum_trajectory_file(est)
    elif fmt == "euroc":
        r, e = file_interface.read_euroc_csv_trajectory(ref), file_interface.read_tum_trajectory_file(est)
    else:
        raise ValueError(fmt)
    if isinstance(r, PoseTrajectory3D) and isinstance(e, PoseTrajectory3D):
        r, e = sync.associate_trajectories(r, e, max_diff=t_max_diff, offset_2=t_offset)
    return r, e


def evo_result(verb, fmt, ref, est, opts):
    r, e = load(fmt, ref, est, opts.get("t_max_diff", 0.01), opts.get("t_offset", 0.0))
    common = dict(
        pose_relation=RELATIONS[opts.get("r", "trans_part")],
        align=opts.get("a", False),
        correct_scale=opts.get("s", False),
        align_origin=opts.get("align_origin", False),
        n_to_align=opts.get("n_to_align", -1),
    )
    with contextlib.redirect_stdout(io.StringIO()):   # evo prints progress for angle all-pairs
        return _evo_metric(verb, r, e, opts, common)


def _evo_metric(verb, r, e, opts, common):
    if verb == "ape":
        res = ape(copy.deepcopy(r), copy.deepcopy(e), **common)
    else:
        unit = {"f": metrics.Unit.frames, "m": metrics.Unit.meters, "d": metrics.Unit.degrees,
                "r": metrics.Unit.radians}[opts.get("delta_unit", "f")]
        res = rpe(copy.deepcopy(r), copy.deepcopy(e), delta=opts.get("delta", 1), delta_unit=unit,
                  all_pairs=opts.get("all_pairs", False), **common)
    return res.stats, len(res.np_arrays["error_array"])


def cli_args(opts):
    out = []
    for key, value in opts.items():
        if key in ("a", "s", "r"):
            if key == "r":
                out += ["-r", value]
            elif value:
                out.append("-" + key)
        elif value is True:
            out.append("--" + key)
        else:
            out += ["--" + key, str(value)]
    return out


def parallax_result(binary, verb, fmt, ref, est, opts):
    # `parallax eval VERB ...`, or the standalone `parallax-eval VERB ...`.
    prefix = [binary] if os.path.basename(binary) == "parallax-eval" else [binary, "eval"]
    cmd = prefix + [verb, fmt, ref, est, "--json"] + cli_args(opts)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.strip()}")
    report = json.loads(proc.stdout)
    return report["stats"], report["count"], cmd


def smoke_cases(data):
    """A few cases covering every alignment, pose relation family and delta unit (seconds)."""
    t = os.path.join(data, "trajectories")
    gt, orb = os.path.join(t, "KITTI_00_gt.txt"), os.path.join(t, "KITTI_00_ORB.txt")
    tum_gt, rgbd = os.path.join(t, "freiburg1_xyz-groundtruth.txt"), os.path.join(t, "freiburg1_xyz-rgbdslam.txt")
    euroc_gt, euroc_est = os.path.join(t, "V102_groundtruth.csv"), os.path.join(t, "V102.txt")
    return [
        ("ape", "kitti", gt, orb, {"a": True}),
        ("rpe", "kitti", gt, orb, {"delta": 100, "delta_unit": "m"}),
        ("ape", "tum", tum_gt, rgbd, {}),
        ("ape", "tum", tum_gt, rgbd, {"a": True, "s": True}),
        ("ape", "tum", tum_gt, rgbd, {"s": True}),
        ("ape", "tum", tum_gt, rgbd, {"align_origin": True, "r": "full"}),
        ("ape", "tum", tum_gt, rgbd, {"a": True, "r": "angle_deg"}),
        ("rpe", "tum", tum_gt, rgbd, {"delta": 5, "r": "rot_part"}),
        ("rpe", "tum", tum_gt, rgbd, {"delta": 0.1, "delta_unit": "m", "all_pairs": True}),
        ("ape", "euroc", euroc_gt, euroc_est, {"a": True, "n_to_align": 100}),
        ("rpe", "euroc", euroc_gt, euroc_est, {"delta": 1, "delta_unit": "m"}),
        ("rpe", "tum", tum_gt, rgbd, {"delta": 5, "delta_unit": "d"}),
    ]


def cases(data, quick):
    t = os.path.join(data, "trajectories")
    gt, orb, sptam = (os.path.join(t, f) for f in ("KITTI_00_gt.txt", "KITTI_00_ORB.txt", "KITTI_00_SPTAM.txt"))
    tum_gt = os.path.join(t, "freiburg1_xyz-groundtruth.txt")
    rgbd, drift, mono = (os.path.join(t, f) for f in (
        "freiburg1_xyz-rgbdslam.txt", "freiburg1_xyz-rgbdslam_drift.txt", "freiburg1_xyz-ORB_kf_mono.txt"))
    euroc_gt, euroc_est = os.path.join(t, "V102_groundtruth.csv"), os.path.join(t, "V102.txt")
    alignments = [{}, {"a": True}, {"a": True, "s": True}, {"s": True}, {"align_origin": True}]
    out = []
    for est in ([orb] if quick else [orb, sptam]):
        out += [("ape", "kitti", gt, est, al) for al in alignments]
        out += [("ape", "kitti", gt, est, {"a": True, "r": r}) for r in ("angle_deg", "angle_rad", "rot_part", "full")]
        out += [("ape", "kitti", gt, est, {"a": True, "s": True, "n_to_align": 200})]
        out += [("rpe", "kitti", gt, est, o) for o in (
            {}, {"delta": 10}, {"delta": 10, "all_pairs": True}, {"r": "angle_deg", "delta": 10},
            {"delta": 100, "delta_unit": "m"}, {"delta": 100, "delta_unit": "m", "a": True, "s": True},
            {"delta": 100, "delta_unit": "m", "all_pairs": True}, {"r": "angle_deg", "delta": 100, "delta_unit": "m"},
            {"delta": 10, "delta_unit": "d"}, {"delta": 0.2, "delta_unit": "r", "r": "angle_rad"})]
    for est in ([rgbd] if quick else [rgbd, drift]):
        out += [("ape", "tum", tum_gt, est, al) for al in alignments]
        out += [("ape", "tum", tum_gt, est, {"a": True, "r": "angle_deg"}),
                ("ape", "tum", tum_gt, est, {"a": True, "t_max_diff": 0.02, "t_offset": 0.005}),
                ("ape", "tum", tum_gt, est, {"t_offset": -0.004})]
        out += [("rpe", "tum", tum_gt, est, o) for o in (
            {}, {"delta": 5, "r": "angle_deg"}, {"delta": 0.1, "delta_unit": "m"},
            {"delta": 0.1, "delta_unit": "m", "all_pairs": True}, {"delta": 0.2, "delta_unit": "m", "a": True},
            {"delta": 5, "delta_unit": "d"}, {"delta": 5, "delta_unit": "d", "all_pairs": True})]
    out += [("ape", "tum", tum_gt, mono, o) for o in ({"a": True, "s": True}, {"s": True}, {"a": True, "r": "full"})]
    out += [("rpe", "tum", tum_gt, mono, {"a": True, "s": True})]
    out += [("ape", "euroc", euroc_gt, euroc_est, al) for al in alignments]
    out += [("ape", "euroc", euroc_gt, euroc_est, {"a": True, "r": "angle_deg"})]
    out += [("rpe", "euroc", euroc_gt, euroc_est, o) for o in (
        {}, {"delta": 1, "delta_unit": "m"}, {"delta": 1, "delta_unit": "m", "all_pairs": True},
        {"delta": 10, "r": "angle_deg", "a": True})]
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parallax", required=True, help="path of the parallax executable")
    parser.add_argument("--data", required=True, help="path of ../shared/datasets")
    parser.add_argument("--quick", action="store_true", help="one estimate per dataset (fewer cases)")
    parser.add_argument("--smoke", action="store_true", help="eleven representative cases (a few seconds)")
    args = parser.parse_args()

    worst = {s: 0.0 for s in STATS}
    failures = 0
    all_cases = smoke_cases(args.data) if args.smoke else cases(args.data, args.quick)
    for verb, fmt, ref, est, opts in all_cases:
        expected, n_expected = evo_result(verb, fmt, ref, est, opts)
        got, n_got, cmd = parallax_result(args.parallax, verb, fmt, ref, est, opts)
        bad = []
        if n_got != n_expected:
            bad.append(f"count {n_got} != evo {n_expected}")
        for s in STATS:
            a, b = float(got[s]), float(expected[s])
            diff = abs(a - b)
            if abs(b) > 1e-9:
                worst[s] = max(worst[s], diff / abs(b))
            if diff > REL_TOL * abs(b) + ABS_TOL:
                bad.append(f"{s}: parallax {a!r} evo {b!r}")
        if bad:
            failures += 1
            print("MISMATCH " + " ".join(os.path.basename(c) for c in cmd[2:]) + ": " + "; ".join(bad))
    print(f"{len(all_cases) - failures}/{len(all_cases)} cases agree with evo to {REL_TOL:g} relative")
    print("max relative difference per statistic: "
          + ", ".join(f"{s} {worst[s]:.2e}" for s in STATS))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
