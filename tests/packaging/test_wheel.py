"""The package as it would be published: `python -m build` makes an sdist and a wheel that pass
`twine check --strict`; the wheel holds `reconciler` only, with LICENSE and full metadata; and,
installed into a fresh venv (not the editable install), it runs `cwbill init`, `validate` and a plan
against its own sandbox.

One build and one install for the whole module (the slow part: the index serves hatchling and the
runtime dependencies).
"""

from __future__ import annotations

import email.parser
import os
import subprocess
import sys
import tarfile
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler import __version__
from reconciler.sandbox import DEMO_CREDENTIALS
from tests.conftest import PROJECT

pytestmark = pytest.mark.slow


def _run(*args: str | Path, **settings: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False, **settings)  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = _run(sys.executable, "-m", "build", "--outdir", out, PROJECT, timeout=600)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    (found,) = dist.glob("cwbill-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a fresh venv with the built wheel installed."""
    folder = tmp_path_factory.mktemp("venv")
    venv.create(folder, with_pip=False)  # this pip installs into it (`--python`): no ensurepip run
    bin_dir = folder / "bin"
    done = _run(
        sys.executable, "-m", "pip", "--python", bin_dir / "python", "install", "--quiet", "--no-compile",
        "--disable-pip-version-check", wheel, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return bin_dir


def test_twine_check_passes_for_the_sdist_and_the_wheel(dist: Path) -> None:
    files = sorted(dist.iterdir())
    assert sorted(f.suffix for f in files) == [".gz", ".whl"]
    checked = _run(sys.executable, "-m", "twine", "check", "--strict", *files)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("PASSED") == 2


def test_the_wheel_holds_reconciler_only_with_its_license(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert {name.split("/", 1)[0] for name in names} == {"reconciler", f"cwbill-{__version__}.dist-info"}
    assert f"cwbill-{__version__}.dist-info/licenses/LICENSE" in names
    assert "reconciler/schemas/company.schema.json" in names  # data the product reads at run time
    assert not [name for name in names if name.startswith(("bench/", "tests/"))]


def test_the_metadata_names_license_authors_urls_and_classifiers(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"cwbill-{__version__}.dist-info/METADATA").decode()
    metadata = email.parser.Parser().parsestr(text)
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Author-email"]
    urls = dict(url.split(", ", 1) for url in metadata.get_all("Project-URL", []))
    assert {"Homepage", "Documentation", "Changelog", "Issues"} <= set(urls)
    classifiers = metadata.get_all("Classifier", [])
    assert "Programming Language :: Python :: 3.11" in classifiers
    assert "Typing :: Typed" in classifiers
    requires = metadata.get_all("Requires-Dist", [])
    assert any(r.startswith("typer") and "<" in r for r in requires)  # the look of --help is pinned
    assert any(r.startswith("rich") and "<" in r for r in requires)


def test_the_sdist_carries_license_and_changelog(dist: Path) -> None:
    (sdist,) = dist.glob("cwbill-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml"} <= names


def _serve(bin_dir: Path, env: dict[str, str]) -> Iterator[str]:
    server = subprocess.Popen(
        [str(bin_dir / "cwbill"), "sandbox", "serve", "--seed", "demo", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.startswith("cwbill sandbox listening on "), line
        yield line.split()[-1]
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stdout is not None:
            server.stdout.close()


def test_the_installed_wheel_inits_validates_and_plans_against_its_sandbox(
    installed: Path, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CW_", "MBS_", "PYTHONPATH"))}
    env.update(DEMO_CREDENTIALS)
    cwbill = installed / "cwbill"
    assert _run(installed / "python", "-c", "import bench", cwd=tmp_path, env=env).returncode == 1
    version = _run(cwbill, "--version", cwd=tmp_path, env=env)
    assert version.stdout.startswith(f"cwbill {__version__} (schemas ")

    assert _run(cwbill, "init", cwd=tmp_path, env=env).returncode == 0
    headers = [p.read_text().splitlines()[0] for p in (tmp_path / "billing").rglob("*.yaml")]
    assert headers and all("$schema=" in h and "site-packages" not in h and "=/" not in h for h in headers)
    validated = _run(cwbill, "validate", cwd=tmp_path, env=env)
    assert validated.returncode == 0, validated.stdout + validated.stderr

    for url in _serve(installed, env):
        env.update(CW_URL=url + "/v4_6_release/apis/3.0", MBS_URL=url)
        pulled = _run(
            cwbill, "usage", "pull", "--period", "2026-10", "--out", "billing/usage/2026-10.yaml",
            cwd=tmp_path, env=env,
        )  # fmt: skip
        assert pulled.returncode == 0, pulled.stderr
        planned = _run(cwbill, "plan", "--as-of", "2026-11-02", "--detailed-exitcode", cwd=tmp_path, env=env)
        assert planned.returncode == 2, planned.stdout + planned.stderr
        assert "+ create MBS-DESKTOP 2026-10 (new) · licenses" in planned.stdout
