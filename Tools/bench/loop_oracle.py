#!/usr/bin/env python3
"""How far can a loop correction go on this drift? An oracle pose graph for a `parallax run`
output folder on a sequence written by `parallax synth`.

    python3 Tools/bench/loop_oracle.py RUN_DIR SEQUENCE_DIR [--parallax .build/release/parallax]

The graph has a vertex per frame at the run's uncorrected pose, an odometry edge between
consecutive frames (the run's relative pose; isotropic weights, several translation/rotation
ratios tried) and a loop edge for every true revisit of the renderer's list (revisits.txt) carrying
the *exact* relative pose from the ground truth with a very confident weight. It is solved by
`parallax pgo` and evaluated by `parallax eval ape` (SE(3) alignment), like the run itself. The
oracle knows what no loop closer can (the true loop transforms, all true revisits); its ATE is a
floor for any correction built on the same odometry and the same revisits. Needs numpy.
"""
import argparse, os, subprocess, sys, tempfile
import numpy as np


def load_kitti(path):
    rows = np.loadtxt(path, ndmin=2)
    if rows.shape[1] != 12:
        sys.exit(f"{path}: expected 12 numbers per line (KITTI poses), got {rows.shape[1]}")
    out = np.tile(np.eye(4), (len(rows), 1, 1))
    out[:, :3, :] = rows.reshape(-1, 3, 4)
    return out


def quaternion(r):
    """(x, y, z, w) of a rotation matrix (Shepperd's method)."""
    t = np.trace(r)
    if t > 0:
        s = 2 * np.sqrt(1 + t)
        return np.array([(r[2, 1] - r[1, 2]) / s, (r[0, 2] - r[2, 0]) / s, (r[1, 0] - r[0, 1]) / s, s / 4])
    i = int(np.argmax(np.diag(r)))
    j, k = (i + 1) % 3, (i + 2) % 3
    s = 2 * np.sqrt(1 + r[i, i] - r[j, j] - r[k, k])
    q = np.zeros(4)
    q[i] = s / 4
    q[j] = (r[j, i] + r[i, j]) / s
    q[k] = (r[k, i] + r[i, k]) / s
    q[3] = (r[k, j] - r[j, k]) / s
    return q


def rotation(q):
    x, y, z, w = q / np.linalg.norm(q)
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                     [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                     [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def pose_text(t):
    return " ".join(f"{v:.12g}" for v in list(t[:3, 3]) + list(quaternion(t[:3, :3])))


def information(sigma_t, sigma_r):
    d = [1 / sigma_t ** 2] * 3 + [1 / sigma_r ** 2] * 3
    return " ".join(f"{d[i] if i == j else 0:.6g}" for i in range(6) for j in range(i, 6))


def revisits(path):
    pairs = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            parts = line.split()
            try:
                pairs.append((int(parts[0]), int(parts[1])))
            except (ValueError, IndexError):
                sys.exit(f"{path}:{n}: expected 'first second distance'")
    return pairs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run"); ap.add_argument("sequence")
    ap.add_argument("--parallax", default=".build/release/parallax")
    ap.add_argument("--seq", default="00", help="KITTI sequence name (default 00)")
    a = ap.parse_args()
    gt_path = os.path.join(a.sequence, "poses", f"{a.seq}.txt")
    est = load_kitti(os.path.join(a.run, "trajectory_kitti.txt"))
    gt = load_kitti(gt_path)
    if len(est) != len(gt):
        sys.exit(f"{a.run}: {len(est)} poses against {len(gt)} in {gt_path}")
    pairs = revisits(os.path.join(a.sequence, "sequences", a.seq, "revisits.txt"))
    if not pairs:
        sys.exit("no true revisits in the sequence: nothing for a loop correction to use")

    def ape(path):
        out = subprocess.run([a.parallax, "eval", "ape", "kitti", gt_path, path, "-a"], capture_output=True, text=True)
        for line in out.stdout.splitlines():
            if line.strip().startswith("rmse"):
                return float(line.split()[-1])
        sys.exit(f"parallax eval ape failed on {path}: {out.stderr.strip()}")

    print(f"odometry (no loop closure): ATE {ape(os.path.join(a.run, 'trajectory_kitti.txt')):.4f} m")
    corrected = os.path.join(a.run, "trajectory_corrected_kitti.txt")
    if os.path.exists(corrected):
        print(f"the run's loop correction:  ATE {ape(corrected):.4f} m")
    with tempfile.TemporaryDirectory() as tmp:
        for sigma_t, sigma_r in [(0.01, 0.01), (0.01, 0.001), (0.01, 0.0003), (0.01, 0.0001), (0.001, 0.01)]:
            lines = [f"VERTEX_SE3:QUAT {i} {pose_text(t)}" for i, t in enumerate(est)] + ["FIX 0"]
            odo = information(sigma_t, sigma_r)
            lines += [f"EDGE_SE3:QUAT {i} {i + 1} {pose_text(np.linalg.inv(est[i]) @ est[i + 1])} {odo}" for i in range(len(est) - 1)]
            loop = information(1e-4, 1e-5)
            lines += [f"EDGE_SE3:QUAT {i} {j} {pose_text(np.linalg.inv(gt[i]) @ gt[j])} {loop}" for i, j in pairs]
            g, o = os.path.join(tmp, "oracle.g2o"), os.path.join(tmp, "solved.g2o")
            with open(g, "w") as f:
                f.write("\n".join(lines) + "\n")
            run = subprocess.run([a.parallax, "pgo", g, "--out", o], capture_output=True, text=True)
            if run.returncode != 0:
                sys.exit(f"parallax pgo failed: {run.stderr.strip()}")
            solved = {}
            with open(o) as f:
                for line in f:
                    p = line.split()
                    if p and p[0] == "VERTEX_SE3:QUAT":
                        t = np.eye(4)
                        t[:3, 3] = [float(v) for v in p[2:5]]
                        t[:3, :3] = rotation(np.array([float(v) for v in p[5:9]]))
                        solved[int(p[1])] = t
            path = os.path.join(tmp, "oracle.txt")
            np.savetxt(path, np.array([solved[i][:3, :].reshape(-1) for i in range(len(est))]))
            print(f"oracle, {len(pairs)} exact loops, odometry σ_t {sigma_t} m σ_r {sigma_r} rad: ATE {ape(path):.4f} m")


if __name__ == "__main__":
    main()
