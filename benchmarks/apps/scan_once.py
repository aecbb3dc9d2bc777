"""One timed pass over a root directory of wheels, in a fresh process; prints JSON.

``--mode rescan``: Greenroom's ``scan_root`` with the cache in ``--cache``
(warm after the first pass). ``--mode full-read``: every wheel opened and its
METADATA and entry_points.txt read with ``zipfile``, the least a scan without
a cache must do. Imports happen before the clock starts.
"""

import argparse
import json
import os
import sys
import time
import zipfile
from pathlib import Path


def full_read(root):
    read = 0
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        with zipfile.ZipFile(entry.path) as archive:
            for name in archive.namelist():
                if name.endswith((".dist-info/METADATA", ".dist-info/entry_points.txt")):
                    read += len(archive.read(name))
    return read


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mode", choices=["rescan", "full-read"], required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--cache")
    args = parser.parse_args()
    root = Path(args.root)
    if args.mode == "rescan":
        from greenroom._dynamic.scanner import scan_root

        started = time.perf_counter()
        packages = scan_root(root, cache_root=Path(args.cache))
        elapsed = time.perf_counter() - started
        bad = [str(p.path) for p in packages if not p.ok]
        if bad:
            sys.exit(f"scan_root found unusable packages: {bad[:3]}")
        count = len(packages)
    else:
        started = time.perf_counter()
        full_read(root)
        elapsed = time.perf_counter() - started
        count = len(os.listdir(root))
    json.dump({"seconds": elapsed, "packages": count}, sys.stdout)
