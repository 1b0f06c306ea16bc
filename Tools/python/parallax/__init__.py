"""Parallax: stereo visual odometry and SLAM, from Python.

    import parallax
    camera = parallax.Camera(fx=718.856, fy=718.856, cx=607.19, cy=185.22, baseline=0.537,
                             width=1241, height=376)
    pipeline = parallax.Pipeline(camera)            # or Pipeline(camera, config="run.yaml")
    for left, right, t in frames:                   # 8-bit grey numpy arrays, height x width
        f = pipeline.process(left, right, t)
        f.pose, f.corrected_pose, f.covariance, f.state, f.loops
    poses = pipeline.finish()                       # n x 4 x 4, the final corrected trajectory

A thin layer over the C interface (parallax.h) through ctypes. Calls on one pipeline must not
overlap; loop corrections run on the pipeline's own thread and never block `process`.
"""
import ctypes
import os

import numpy as np

__all__ = ["Camera", "Frame", "Pipeline", "ParallaxError", "version", "STATES"]

STATES = ("initialised", "tracking", "keyframe", "lost")


class ParallaxError(RuntimeError):
    """An error reported by the library (bad argument, configuration or image)."""


class _Camera(ctypes.Structure):
    _fields_ = [("fx", ctypes.c_double), ("fy", ctypes.c_double), ("cx", ctypes.c_double),
                ("cy", ctypes.c_double), ("baseline", ctypes.c_double),
                ("width", ctypes.c_int), ("height", ctypes.c_int)]


class _Frame(ctypes.Structure):
    _fields_ = [("frame", ctypes.c_int64), ("timestamp", ctypes.c_double), ("state", ctypes.c_int),
                ("pose", ctypes.c_double * 16), ("corrected_pose", ctypes.c_double * 16),
                ("covariance", ctypes.c_double * 36), ("loops", ctypes.c_int)]


def _load():
    explicit = os.environ.get("PARALLAX_LIBRARY")
    path = explicit or os.path.join(os.path.dirname(os.path.abspath(__file__)), "libParallaxC.so")
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise ImportError(f"parallax: cannot load {path}: {e}") from e
    lib.px_version.restype = ctypes.c_char_p
    lib.px_version.argtypes = []
    lib.px_create.restype = ctypes.c_void_p
    lib.px_create.argtypes = [ctypes.POINTER(_Camera), ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.px_process.restype = ctypes.c_int
    lib.px_process.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_double,
                               ctypes.POINTER(_Frame), ctypes.c_char_p, ctypes.c_size_t]
    lib.px_finish.restype = ctypes.c_int64
    lib.px_finish.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64, ctypes.c_char_p, ctypes.c_size_t]
    lib.px_destroy.restype = None
    lib.px_destroy.argtypes = [ctypes.c_void_p]
    return lib


_lib = _load()
_ERROR_SIZE = 1024


def version():
    """The library's version, "MAJOR.MINOR.PATCH"."""
    return _lib.px_version().decode()


class Camera:
    """A rectified stereo camera: focal lengths and principal point in pixels, baseline in
    metres, image size in pixels."""

    def __init__(self, fx, fy, cx, cy, baseline, width, height):
        self.fx, self.fy, self.cx, self.cy = float(fx), float(fy), float(cx), float(cy)
        self.baseline = float(baseline)
        self.width, self.height = int(width), int(height)

    def __repr__(self):
        return (f"Camera(fx={self.fx}, fy={self.fy}, cx={self.cx}, cy={self.cy}, "
                f"baseline={self.baseline}, width={self.width}, height={self.height})")


class Frame:
    """One frame's result: `pose` (odometry T_world_camera, 4x4), `corrected_pose` (T_map_camera,
    4x4, corrected by every loop solved so far), `covariance` (6x6 of pose, (rho, phi) order),
    `state` (0 initialised, 1 tracking, 2 keyframe, 3 lost; `state_name` in words), `loops`
    (accepted so far), `frame` (index from 0) and `timestamp`."""

    def __init__(self, raw):
        self.frame = int(raw.frame)
        self.timestamp = float(raw.timestamp)
        self.state = int(raw.state)
        self.pose = np.array(raw.pose, dtype=np.float64).reshape(4, 4)
        self.corrected_pose = np.array(raw.corrected_pose, dtype=np.float64).reshape(4, 4)
        self.covariance = np.array(raw.covariance, dtype=np.float64).reshape(6, 6)
        self.loops = int(raw.loops)

    @property
    def state_name(self):
        return STATES[self.state] if 0 <= self.state < len(STATES) else str(self.state)

    def __repr__(self):
        t = self.pose[:3, 3]
        return f"Frame({self.frame}, {self.state_name}, t=({t[0]:.3f}, {t[1]:.3f}, {t[2]:.3f}), loops={self.loops})"


class Pipeline:
    """Stereo SLAM over one sequence, fed one rectified stereo frame at a time.

    `config` is the path of a YAML configuration (the keys of `parallax run --config`), or None
    for the defaults."""

    def __init__(self, camera, config=None):
        if not isinstance(camera, Camera):
            raise TypeError("camera must be a parallax.Camera")
        self.camera = camera
        raw = _Camera(camera.fx, camera.fy, camera.cx, camera.cy, camera.baseline, camera.width, camera.height)
        error = ctypes.create_string_buffer(_ERROR_SIZE)
        path = None if config is None else os.fsencode(config)
        handle = _lib.px_create(ctypes.byref(raw), path, error, _ERROR_SIZE)
        if not handle:
            raise ParallaxError(error.value.decode(errors="replace"))
        self._handle = handle
        self._frames = 0

    def _image(self, image, name):
        a = np.asarray(image)
        if a.dtype != np.uint8:
            raise TypeError(f"{name}: expected 8-bit grey (uint8), got {a.dtype}")
        if a.shape != (self.camera.height, self.camera.width):
            raise ValueError(f"{name}: expected shape ({self.camera.height}, {self.camera.width}), got {a.shape}")
        if a.strides[1] != 1 or a.strides[0] < a.shape[1]:
            a = np.ascontiguousarray(a)
        return a

    def process(self, left, right, timestamp):
        """Processes one frame (8-bit grey numpy arrays of height x width); returns a `Frame`."""
        handle = self._require_open()
        l, r = self._image(left, "left"), self._image(right, "right")
        if l.strides[0] != r.strides[0]:
            l, r = np.ascontiguousarray(l), np.ascontiguousarray(r)
        out = _Frame()
        error = ctypes.create_string_buffer(_ERROR_SIZE)
        rc = _lib.px_process(handle, l.ctypes.data, r.ctypes.data, l.strides[0], float(timestamp),
                             ctypes.byref(out), error, _ERROR_SIZE)
        if rc != 0:
            raise ParallaxError(error.value.decode(errors="replace"))
        self._frames += 1
        return Frame(out)

    def finish(self):
        """Waits for pending corrections, solves the final one and returns every frame's corrected
        T_world_camera as an n x 4 x 4 array."""
        handle = self._require_open()
        poses = np.zeros((self._frames, 4, 4), dtype=np.float64)
        error = ctypes.create_string_buffer(_ERROR_SIZE)
        n = _lib.px_finish(handle, poses.ctypes.data if self._frames else None, self._frames, error, _ERROR_SIZE)
        if n < 0:
            raise ParallaxError(error.value.decode(errors="replace"))
        return poses[:n]

    def close(self):
        """Releases the pipeline (also done when it is garbage-collected)."""
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            _lib.px_destroy(handle)

    def _require_open(self):
        if not self._handle:
            raise ParallaxError("the pipeline is closed")
        return self._handle

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()
