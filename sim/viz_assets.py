"""Solara's front-end files, for machines that cannot reach its CDN.

The interactive page (``sim/app.py``) is served by Solara, whose browser side loads its
JavaScript and CSS from cdn.jsdelivr.net (a mirror of the npm registry) through the
server, which keeps them in ``<prefix>/share/solara/cdn/``. On a machine that reaches
the npm registry but not jsdelivr (a closed CI network), ``python -m sim.viz_assets``
fills that cache from the npm packages themselves (``npm pack``), so the page works
offline. Where jsdelivr is reachable nothing is needed: Solara fetches what it lacks.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

#: The npm packages (name@version) Solara's page loads from its CDN, for solara 1.64.
PACKAGES = (
    "@widgetti/solara-vuetify3-app@5.2.0",
    "font-awesome@4.5.0",
    "requirejs@2.3.6",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
    "mermaid@10.8.0",
)


def cache_dir() -> Path:
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def default_file(package_json: dict) -> str | None:
    """The file jsdelivr serves for a bare package URL."""
    for key in ("jsdelivr", "browser", "main"):
        value = package_json.get(key)
        if isinstance(value, str):
            return value
    return None


def fetch(spec: str, cache: Path) -> Path:
    """Put the files of the npm package ``spec`` (name@version) into Solara's cache."""
    target = cache / spec
    if (target / "package.json").exists():
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("ceasefire-sim: npm is needed to fetch Solara's front-end files offline (Node.js's npm).")
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([npm, "pack", spec, "--silent"], cwd=tmp, capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(f"ceasefire-sim: npm pack {spec} failed: {out.stderr.strip()}")
        archive = Path(tmp) / out.stdout.strip().splitlines()[-1]
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        shutil.copytree(Path(tmp) / "package", target, dirs_exist_ok=True)
    main = default_file(json.loads((target / "package.json").read_text()))
    if main and (target / main).is_file():
        shutil.copyfile(target / main, target / "__main.js")
    return target


def main(argv: list[str] | None = None) -> int:
    cache = cache_dir()
    for spec in argv if argv else PACKAGES:
        print(f"{spec} -> {fetch(spec, cache)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
