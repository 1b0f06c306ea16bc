"""Opens a run's report.html in headless Chromium and checks that it drew: the 3D view reports
the points it drew (data-drawn on <body>, set by the page's script), the plots are there, the
page logged nothing to the console (no errors, no uncaught exceptions), and a screenshot shows a
3D view and plots that are not blank. Usage:

    python3 check_report.py RUN_DIR SCREENSHOT.png

Exits non-zero with a message on the first failure.
"""
import re
import shutil
import subprocess
import sys

from PIL import Image


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return name
    sys.exit("check_report: no chromium (Tools/bootstrap --test installs Debian's)")


def main():
    run, shot = sys.argv[1], sys.argv[2]
    url = "file://" + run.rstrip("/") + "/report.html"
    base = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0"]
    dom = subprocess.run(base + ["--dump-dom", url], capture_output=True, text=True, timeout=120)
    console = [l for l in dom.stderr.splitlines() if "CONSOLE" in l or "Uncaught" in l]
    if console:
        sys.exit("check_report: the page logged:\n" + "\n".join(console))
    drawn = re.search(r'data-drawn="(\d+)"', dom.stdout)
    if not drawn or int(drawn.group(1)) == 0:
        sys.exit("check_report: the 3D view drew no points")
    svgs = dom.stdout.count("<svg")
    if svgs < 2:
        sys.exit(f"check_report: {svgs} plots in the page")
    subprocess.run(base + ["--window-size=1280,2200", f"--screenshot={shot}", url], capture_output=True, timeout=120, check=True)
    image = Image.open(shot).convert("L")

    def ink(box):
        region = image.crop(box)
        return sum(region.histogram()[:200]) / (region.width * region.height)

    view, plots = ink((30, 170, 1020, 780)), ink((30, 1100, 640, 2150))
    if view < 0.01 or plots < 0.01:
        sys.exit(f"check_report: blank regions in the screenshot (3D view {view:.3f}, plots {plots:.3f} dark share)")
    print(f"check_report: {drawn.group(1)} points drawn, {svgs} plots, no console messages; "
          f"screenshot {shot}: 3D view {100 * view:.1f} % ink, plots {100 * plots:.1f} % ink")


if __name__ == "__main__":
    main()
