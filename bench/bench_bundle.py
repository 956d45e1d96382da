"""The built bundle: start to a shown window (cold and warm), self-test time, compressed size.

Runs the one-folder build in `dist/packdesk-VERSION` (or `--bundle DIR`), offscreen or on an X
server (`--platform xcb`, e.g. under `xvfb-run -a`), in a scratch $PACKDESK_HOME: a first
`--demo` start seeds a profile with the 500 sample orders, then the measured starts open that
profile (`--profile demo`) as a desk does every morning. It prints:

- cold start: the bundle's files evicted from the page cache first (posix_fadvise DONTNEED
  on every file of the folder: the state after a reboot, without dropping the whole
  machine's cache), then start to the first paint of the main window;
- warm start: the same, right after another start (the median of `--runs`);
- `--self-test`: wall time and the self-test's own total;
- size: the folder, and as a .tar.gz (gzip -6, what a download or an artifact weighs).

    .venv/bin/python bench/bench_bundle.py       # after `pyinstaller installer/packdesk.spec`
    .venv/bin/python bench/bench_bundle.py --bundle /tmp/dist/packdesk-0.1.0 --runs 5

The window reports its first paint through $PACKDESK_QUIT_WHEN_SHOWN (app/ui/startup_probe.py)
and quits; the time is taken from just before the process is started.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Qt platform plugin for the measured runs (--platform): offscreen, or xcb on an X server
#: (`xvfb-run -a .venv/bin/python bench/bench_bundle.py --platform xcb`).
PLATFORM = "offscreen"
TARGETS = {"cold": 3.0, "warm": 1.5, "self_test": 15.0, "compressed_mb": 150.0}


def default_bundle() -> Path:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    return ROOT / "dist" / f"packdesk-{version}"


def evict(folder: Path) -> int:
    """Drop the folder's files from the page cache; returns how many files were evicted."""
    count = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)  # dirty pages cannot be dropped
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
            count += 1
    return count


def start_to_shown(executable: Path, home: Path, *args: str) -> tuple[float, float]:
    """Seconds from starting the bundle to its main window's first paint, and the CPU
    seconds the process had used by then (what the load of other jobs does not inflate)."""
    env = {**os.environ, "QT_QPA_PLATFORM": PLATFORM, "PACKDESK_QUIT_WHEN_SHOWN": "1"}
    env["PACKDESK_HOME"] = str(home)
    started = time.time()
    done = subprocess.run(
        [str(executable), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    match = re.search(r"^shown (\d+\.\d+) cpu (\d+\.\d+)$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or match is None:
        raise SystemExit(f"the bundle did not show its window:\n{done.stdout}\n{done.stderr}")
    return float(match.group(1)) - started, float(match.group(2))


def self_test(executable: Path, home: Path) -> tuple[float, float, int]:
    """(wall seconds, the report's own total, exit code) of `--self-test`."""
    env = {**os.environ, "QT_QPA_PLATFORM": PLATFORM, "PACKDESK_HOME": str(home)}
    started = time.perf_counter()
    done = subprocess.run(
        [str(executable), "--self-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    wall = time.perf_counter() - started
    match = re.search(r"self-test \w+ in ([\d.]+) s", done.stdout)
    if done.returncode != 0:
        print(done.stdout, done.stderr, file=sys.stderr)
    return wall, float(match.group(1)) if match else float("nan"), done.returncode


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def compressed_size(folder: Path) -> tuple[int, float]:
    """Bytes of the folder as .tar.gz (gzip level 6) and the seconds it took to write."""
    with tempfile.TemporaryDirectory(prefix="bench-bundle-") as tmp:
        target = Path(tmp) / f"{folder.name}.tar.gz"
        started = time.perf_counter()
        with tarfile.open(target, "w:gz", compresslevel=6) as archive:
            archive.add(folder, arcname=folder.name)
        return target.stat().st_size, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bundle", type=Path, default=None, help="the one-folder build")
    parser.add_argument("--runs", type=int, default=3, help="warm starts (median reported)")
    parser.add_argument("--platform", default="offscreen", help="Qt platform plugin (xcb: X)")
    args = parser.parse_args()
    global PLATFORM
    PLATFORM = args.platform
    bundle = (args.bundle or default_bundle()).resolve()
    executable = bundle / ("packdesk.exe" if sys.platform == "win32" else "packdesk")
    if not executable.is_file():
        raise SystemExit(f"no bundle at {bundle}: run `pyinstaller installer/packdesk.spec` first")
    with tempfile.TemporaryDirectory(prefix="bench-bundle-home-") as tmp:
        home = Path(tmp)
        # The first start (--demo) creates and seeds a profile with the 500 sample orders; the
        # measured starts open it as a desk does every morning (no seeding alongside).
        first, _ = start_to_shown(executable, home, "--demo")
        evicted = evict(bundle)
        cold, cold_cpu = start_to_shown(executable, home, "--profile", "demo")
        warm_runs = [
            start_to_shown(executable, home, "--profile", "demo") for _ in range(max(1, args.runs))
        ]
        wall, reported, code = self_test(executable, home)
    size = folder_size(bundle)
    packed, pack_seconds = compressed_size(bundle)
    warm = [seconds for seconds, _ in warm_runs]
    warm_median = statistics.median(warm)
    warm_cpu = statistics.median(cpu for _, cpu in warm_runs)
    lines = [
        f"bundle: {bundle} ({os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, "
        f"Qt platform {PLATFORM})",
        f"first start ever (--demo: creates and seeds the profile): {first:.2f} s",
        f"cold start to shown window: {cold:.2f} s, {cold_cpu:.2f} s CPU "
        f"(target <= {TARGETS['cold']:g} s; {evicted} files evicted from the page cache first)",
        f"warm start to shown window: {warm_median:.2f} s median of {len(warm)} "
        f"({', '.join(f'{w:.2f}' for w in warm)}), {warm_cpu:.2f} s CPU "
        f"(target <= {TARGETS['warm']:g} s)",
        f"self-test: {wall:.1f} s wall, {reported:.1f} s by its report, exit {code} "
        f"(target <= {TARGETS['self_test']:g} s)",
        f"size: {size / 1e6:.0f} MB on disk, {packed / 1e6:.0f} MB as .tar.gz "
        f"(target <= {TARGETS['compressed_mb']:g} MB; packed in {pack_seconds:.0f} s)",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
