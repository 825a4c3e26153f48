"""Front-end libraries are vendored into static/vendor/ from npm, never from a CDN: each vendored
file is exactly the copy npm installed (package-lock.json pins the version), so an upgrade is
`npm install --save-exact <lib>@<version>` and copying the file again."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# vendored file → (npm package, file in the package)
VENDORED = {
    "static/vendor/jsqr/jsQR.js": ("jsqr", "dist/jsQR.js"),
    "static/vendor/jsqr/LICENSE": ("jsqr", "LICENSE"),
}


@pytest.mark.parametrize("vendored", sorted(VENDORED))
def test_vendored_file_is_npms_copy(vendored):
    package, name = VENDORED[vendored]
    installed = ROOT / "node_modules" / package / name
    assert installed.exists(), f"{installed} is missing: run `npm ci` (make test does)"
    assert (ROOT / vendored).read_bytes() == installed.read_bytes()


def test_vendored_versions_are_pinned_in_package_json():
    manifest = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    for package, _name in VENDORED.values():
        version = manifest["dependencies"][package]
        assert version[0].isdigit(), f"{package} is pinned exactly, not {version}"
        assert lock["packages"][f"node_modules/{package}"]["version"] == version
        installed = json.loads((ROOT / "node_modules" / package / "package.json").read_text())
        assert installed["version"] == version
