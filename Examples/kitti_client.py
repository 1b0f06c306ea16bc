"""A minimal Parallax client in Python: runs the pipeline over a KITTI-layout sequence folder
(calib.txt with P0/P1 rows, image_0/ and image_1/ with NNNNNN.png 8-bit grey images) and prints
the final corrected trajectory in KITTI format (12 numbers per frame) on stdout.

    pip install ./Tools/python        # after `swift build -c release`
    python3 Examples/kitti_client.py SEQUENCE_FOLDER [CONFIG.yaml] > trajectory.txt

Images are read with Pillow (`pip install pillow`).
"""
import os
import sys

import numpy as np
from PIL import Image

import parallax


def projection(calib, name):
    with open(calib) as f:
        for line in f:
            if line.startswith(name + ":"):
                return np.array([float(x) for x in line.split()[1:13]]).reshape(3, 4)
    raise SystemExit(f"{calib}: no {name} row")


def main():
    if len(sys.argv) not in (2, 3):
        raise SystemExit(f"usage: {sys.argv[0]} SEQUENCE_FOLDER [CONFIG.yaml]")
    folder = sys.argv[1]
    p0 = projection(os.path.join(folder, "calib.txt"), "P0")
    p1 = projection(os.path.join(folder, "calib.txt"), "P1")

    def image(side, i):
        path = os.path.join(folder, f"image_{side}", f"{i:06d}.png")
        return np.asarray(Image.open(path).convert("L")) if os.path.exists(path) else None

    first = image(0, 0)
    if first is None:
        raise SystemExit(f"{folder}/image_0: no frames")
    # P_k = K [I | t_k]: the baseline is the x offset between the two cameras.
    camera = parallax.Camera(fx=p0[0, 0], fy=p0[1, 1], cx=p0[0, 2], cy=p0[1, 2],
                             baseline=(p0[0, 3] - p1[0, 3]) / p1[0, 0], width=first.shape[1], height=first.shape[0])
    with parallax.Pipeline(camera, config=sys.argv[2] if len(sys.argv) == 3 else None) as pipeline:
        i = 0
        while (left := image(0, i)) is not None:
            right = image(1, i)
            if right is None:
                raise SystemExit(f"{folder}/image_1/{i:06d}.png: missing")
            f = pipeline.process(left, right, 0.1 * i)
            print(f, file=sys.stderr)
            i += 1
        for pose in pipeline.finish():
            print(" ".join(f"{v:.12e}" for v in pose[:3].reshape(-1)))


if __name__ == "__main__":
    main()
