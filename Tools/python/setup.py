"""Bundles the built C interface (libParallaxC.so) into the package.

The library is taken from $PARALLAX_LIBRARY (a file) when set, else from the repository's
release build (`swift build -c release` at the repository root, two folders up).
"""
import os
import shutil
import subprocess

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def built_library():
    explicit = os.environ.get("PARALLAX_LIBRARY")
    if explicit:
        if not os.path.isfile(explicit):
            raise SystemExit(f"PARALLAX_LIBRARY={explicit}: no such file")
        return explicit
    try:
        bin_dir = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT,
                                 capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        bin_dir = os.path.join(ROOT, ".build", "release")
    path = os.path.join(bin_dir, "libParallaxC.so")
    if not os.path.isfile(path):
        raise SystemExit(f"{path}: not built; run `swift build -c release` in {ROOT} first "
                         "(or set PARALLAX_LIBRARY to an installed libParallaxC.so)")
    return path


class BuildWithLibrary(build_py):
    def run(self):
        super().run()
        target = os.path.join(self.build_lib, "parallax")
        os.makedirs(target, exist_ok=True)
        shutil.copy2(built_library(), os.path.join(target, "libParallaxC.so"))


class BinaryDistribution(Distribution):
    """The package holds a native library: its wheel is for this platform, not for any."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildWithLibrary}, distclass=BinaryDistribution)
