"""`pip install mailposture` is enough: the wheel carries the notebooks, report templates, fonts
and demo data, and `mailposture demo` runs from a fresh virtualenv, outside any checkout,
without a registered kernel, writing only into the data folder it names.

Offline: the wheel is built here without build isolation, and the fresh venv borrows the
dependencies of the running environment through a path entry (that environment's own
install of the kit is not active there: its .pth files are not processed)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _files(folder: Path) -> dict[str, float]:
    # Python's own bytecode cache is not the kit writing; everything else counts.
    return {
        str(p.relative_to(folder)): p.stat().st_mtime
        for p in folder.rglob("*")
        if "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling")
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"from hatchling.build import build_wheel; build_wheel({str(dist)!r})",
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("mailposture-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(purelib, "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return venv


def _run(venv: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "MAILPOSTURE_DATA"}}
    env["HOME"] = str(cwd)  # the per-user data folder, if anything used it, lands here
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_installed_kit_finds_its_files_in_the_wheel(fresh_venv: Path, tmp_path: Path) -> None:
    code = (
        "import assessment as mp, assessment.resources as r; "
        "print(mp.__file__); print(r.notebooks_dir()); print(r.templates_dir()); "
        "print(r.demo_dir()); print(len(mp.__all__), set(mp.__all__) <= set(dir(mp)))"
    )
    done = _run(fresh_venv, [str(fresh_venv / "bin" / "python"), "-c", code], tmp_path)
    assert done.returncode == 0, done.stderr
    package, notebooks, templates, demo, names = done.stdout.splitlines()
    assert package.startswith(str(fresh_venv))
    for folder in (notebooks, templates, demo):
        assert folder.startswith(str(Path(package).parent / "_shipped")), folder
    assert (Path(templates) / "fonts" / "IBMPlexSans[wdth,wght].ttf").is_file()
    assert (Path(templates) / "brand" / "default" / "brand.toml").is_file()
    assert (Path(notebooks) / "assess.ipynb").is_file()
    assert names.endswith("True")


def test_demo_runs_from_a_fresh_venv(fresh_venv: Path, tmp_path: Path) -> None:
    package = next((fresh_venv / "lib").glob("python3*/site-packages/assessment"))
    before = _files(package)
    data = tmp_path / "data"
    done = _run(
        fresh_venv, [str(fresh_venv / "bin" / "mailposture"), "demo", "--data", str(data)], tmp_path
    )
    assert done.returncode == 0, done.stderr[-3000:]
    pdf = Path(done.stdout.strip().splitlines()[0])
    assert pdf.is_file() and pdf.is_relative_to(data) and pdf.stat().st_size > 10_000
    assert f"data folder {data}" in done.stderr
    assert _files(package) == before, "the installed kit wrote into its own package folder"
    # Beside the data folder, only the libraries' per-user caches (~/.cache, ~/.ipython...).
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["data"]


def test_version_from_the_wheel(fresh_venv: Path, tmp_path: Path) -> None:
    done = _run(fresh_venv, [str(fresh_venv / "bin" / "mailposture"), "--version"], tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("mailposture ")
