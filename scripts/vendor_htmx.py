#!/usr/bin/env python3
"""Copy htmx from its npm package into web/static/htmx/ with its licence and version
(as .txt files, which the package data ships).

The pages use htmx for the coach's live findings; it is served by the app itself (no
CDN), so an offline install works. Run again with another version to upgrade:

    scripts/vendor_htmx.py [2.0.11]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "src" / "amends" / "web" / "static" / "htmx"


def main() -> None:
    version = sys.argv[1] if len(sys.argv) > 1 else "2.0.11"
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", f"htmx.org@{version}"], cwd=tmp, check=True, capture_output=True
        )
        (archive,) = Path(tmp).glob("htmx.org-*.tgz")
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        package = Path(tmp) / "package"
        TARGET.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(package / "dist" / "htmx.min.js", TARGET / "htmx.min.js")
        shutil.copyfile(package / "LICENSE", TARGET / "LICENSE.txt")
        (TARGET / "VERSION.txt").write_text(f"htmx.org {version} (npm)\n", encoding="utf-8")
    print(f"htmx {version} copied to {TARGET}")


if __name__ == "__main__":
    main()
