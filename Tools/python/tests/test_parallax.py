"""Tests of the Python binding and, through ctypes, of the C interface's argument checks.

    python3 -m unittest discover -s Tools/python/tests -v     (after `pip install ./Tools/python`)

With PARALLAX_TEST_SEQUENCE (a KITTI-layout sequence folder) and PARALLAX_TEST_REFERENCE (the
`trajectory_corrected_kitti.txt` that `parallax run` wrote for it), the binding must reproduce
that trajectory.
"""
import ctypes
import os
import tempfile
import unittest

import numpy as np

import parallax

CAMERA = dict(fx=400.0, fy=400.0, cx=160.0, cy=120.0, baseline=0.2, width=320, height=240)


def textured(seed, shift=0):
    """A random texture and the same shifted left by `shift` pixels (a fronto-parallel plane)."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, size=(240, 320 + shift), dtype=np.uint8)
    base = (base.astype(np.float64) + np.roll(base, 1, axis=1) + np.roll(base, 1, axis=0)) / 3
    base = base.astype(np.uint8)
    return np.ascontiguousarray(base[:, shift:shift + 320]), np.ascontiguousarray(base[:, :320])


class BindingTests(unittest.TestCase):
    def test_version(self):
        parts = parallax.version().split(".")
        self.assertEqual(len(parts), 3)
        self.assertTrue(all(p.isdigit() for p in parts))

    def test_bad_camera_is_an_error(self):
        for bad in (dict(fx=0.0), dict(baseline=-1.0), dict(width=0), dict(cx=float("nan"))):
            with self.subTest(bad=bad), self.assertRaises(parallax.ParallaxError) as e:
                parallax.Pipeline(parallax.Camera(**{**CAMERA, **bad}))
            self.assertIn("px_create", str(e.exception))

    def test_configuration_errors_name_file_line_and_key(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write("loop_closure: false\nmin_inliers: 2\n")
        try:
            with self.assertRaises(parallax.ParallaxError) as e:
                parallax.Pipeline(parallax.Camera(**CAMERA), config=f.name)
            message = str(e.exception)
            self.assertIn(f.name + ":2", message)
            self.assertIn("min_inliers", message)
        finally:
            os.unlink(f.name)
        with self.assertRaises(parallax.ParallaxError) as e:
            parallax.Pipeline(parallax.Camera(**CAMERA), config="/nonexistent/run.yaml")
        self.assertIn("/nonexistent/run.yaml", str(e.exception))

    def test_frames_poses_and_finish(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write("loop_closure: false\n")
        try:
            pipeline = parallax.Pipeline(parallax.Camera(**CAMERA), config=f.name)
        finally:
            os.unlink(f.name)
        left, right = textured(1, shift=8)
        first = pipeline.process(left, right, 0.0)
        self.assertEqual((first.frame, first.state_name, first.loops), (0, "initialised", 0))
        np.testing.assert_allclose(first.pose, np.eye(4))
        # The same frame again, given as non-contiguous views: the camera has not moved.
        wide_l, wide_r = np.zeros((240, 640), np.uint8), np.zeros((240, 640), np.uint8)
        wide_l[:, ::2], wide_r[:, ::2] = left, right
        second = pipeline.process(wide_l[:, ::2], wide_r[:, ::2], 0.1)
        self.assertEqual(second.frame, 1)
        self.assertEqual(second.pose.shape, (4, 4))
        self.assertEqual(second.covariance.shape, (6, 6))
        self.assertLess(np.abs(second.pose[:3, 3]).max(), 0.05)
        np.testing.assert_allclose(second.covariance, second.covariance.T, atol=1e-12)
        np.testing.assert_allclose(second.corrected_pose, second.pose)   # no loop closure
        poses = pipeline.finish()
        self.assertEqual(poses.shape, (2, 4, 4))
        np.testing.assert_allclose(poses[1], second.pose)
        np.testing.assert_allclose(pipeline.finish(), poses)   # finish again: the same
        with self.assertRaises(parallax.ParallaxError):
            pipeline.process(left, right, 0.2)
        pipeline.close()
        with self.assertRaises(parallax.ParallaxError):
            pipeline.finish()

    def test_bad_images_are_errors(self):
        pipeline = parallax.Pipeline(parallax.Camera(**CAMERA))
        left, right = textured(2)
        with self.assertRaises(TypeError):
            pipeline.process(left.astype(np.float32), right, 0.0)
        with self.assertRaises(ValueError):
            pipeline.process(left[:100], right[:100], 0.0)
        with self.assertRaises(parallax.ParallaxError):
            pipeline.process(left, right, float("nan"))


class CInterfaceTests(unittest.TestCase):
    """The C functions called directly with bad arguments: errors, never a crash."""

    lib = parallax._lib

    def test_null_arguments(self):
        error = ctypes.create_string_buffer(256)
        self.assertIsNone(self.lib.px_create(None, None, error, 256))
        self.assertIn(b"camera is NULL", error.value)
        frame = parallax._Frame()
        self.assertNotEqual(self.lib.px_process(None, None, None, 0, 0.0, ctypes.byref(frame), error, 256), 0)
        self.assertIn(b"pipeline is NULL", error.value)
        self.assertEqual(self.lib.px_finish(None, None, 0, error, 256), -1)
        self.lib.px_destroy(None)
        camera = parallax._Camera(**CAMERA)
        p = self.lib.px_create(ctypes.byref(camera), None, None, 0)   # no error buffer: allowed
        self.assertTrue(p)
        try:
            self.assertNotEqual(self.lib.px_process(p, None, None, 320, 0.0, ctypes.byref(frame), error, 256), 0)
            self.assertIn(b"image is NULL", error.value)
            img = (ctypes.c_uint8 * (320 * 240))()
            self.assertNotEqual(self.lib.px_process(p, img, img, 100, 0.0, ctypes.byref(frame), error, 256), 0)
            self.assertIn(b"stride 100", error.value)
            self.assertNotEqual(self.lib.px_process(p, img, img, 320, 0.0, None, error, 256), 0)
            self.assertEqual(self.lib.px_finish(p, None, 5, error, 256), -1)
            self.assertIn(b"poses is NULL", error.value)
            self.assertEqual(self.lib.px_finish(p, None, -1, error, 256), -1)
        finally:
            self.lib.px_destroy(p)

    def test_messages_are_truncated_and_terminated(self):
        error = ctypes.create_string_buffer(8)
        ctypes.memset(error, 0xFF, 8)
        self.assertIsNone(self.lib.px_create(None, None, error, 6))
        self.assertEqual(error.raw, b"px_cr\x00\xff\xff")   # nothing written past error_size


@unittest.skipUnless(os.environ.get("PARALLAX_TEST_SEQUENCE") and os.environ.get("PARALLAX_TEST_REFERENCE"),
                     "set PARALLAX_TEST_SEQUENCE and PARALLAX_TEST_REFERENCE to compare with `parallax run`")
class ReproducesRunTests(unittest.TestCase):
    def test_the_corrected_trajectory_equals_parallax_run(self):
        import subprocess
        import sys
        example = os.path.join(os.path.dirname(__file__), "..", "..", "..", "Examples", "kitti_client.py")
        out = subprocess.run([sys.executable, example, os.environ["PARALLAX_TEST_SEQUENCE"]], check=True,
                             capture_output=True, text=True).stdout
        ours = np.array([[float(x) for x in line.split()] for line in out.splitlines()])
        reference = np.loadtxt(os.environ["PARALLAX_TEST_REFERENCE"])
        self.assertEqual(ours.shape, reference.shape)
        self.assertLess(np.abs(ours - reference).max(), 1e-9)


if __name__ == "__main__":
    unittest.main()
