"""Copy the front-end files amends serves from their npm packages, with their licences.

    python scripts/vendor.py

Runs ``npm pack`` (no install, no node_modules) for each package at the pinned version
and copies the listed files; the versions are written next to them (VERSIONS.txt) so a
reader knows what is served. Nothing is fetched at run time: the copies are committed.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "src" / "amends" / "web" / "static"
TEST_ASSETS = ROOT / "tests" / "web" / "assets"

# package, version, {file in the package: where it goes}
PACKAGES: list[tuple[str, str, dict[str, Path]]] = [
    (
        "@fontsource/noto-sans-thai",
        "5.3.0",
        {
            **{
                f"files/noto-sans-thai-{subset}-{weight}-normal.woff2": STATIC
                / "fonts"
                / f"noto-sans-thai-{subset}-{weight}-normal.woff2"
                for subset in ("thai", "latin")
                for weight in (400, 700)
            },
            "LICENSE": STATIC / "fonts" / "LICENSE-noto-sans-thai.txt",
        },
    ),
    (
        "chart.js",
        "4.6.1",
        {
            "dist/chart.umd.min.js": STATIC / "chartjs" / "chart.umd.min.js",
            "LICENSE.md": STATIC / "chartjs" / "LICENSE.txt",
        },
    ),
    (
        "axe-core",
        "4.14.1",
        {
            "axe.min.js": TEST_ASSETS / "axe.min.js",
            "LICENSE": TEST_ASSETS / "LICENSE-axe-core.txt",
        },
    ),
]


def main() -> None:
    versions: dict[Path, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, version, files in PACKAGES:
            npm = shutil.which("npm") or "npm"
            command = [npm, "pack", f"{name}@{version}", "--silent"]
            done = subprocess.run(command, cwd=tmp, check=True, capture_output=True, text=True)  # noqa: S603
            out = done.stdout.strip().splitlines()[-1]
            with tarfile.open(Path(tmp) / out) as archive:
                for inner, target in files.items():
                    member = archive.extractfile(f"package/{inner}")
                    assert member is not None, f"{name} has no {inner}"
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(member.read())
                    versions.setdefault(target.parent, []).append(
                        f"{target.name}: {name}@{version}"
                    )
    for folder, lines in versions.items():
        (folder / "VERSIONS.txt").write_text("\n".join(sorted(set(lines))) + "\n")
        print(f"{folder.relative_to(ROOT)}: {len(lines)} files")


if __name__ == "__main__":
    main()
