"""The package installs from a wheel: a fresh venv outside the checkout reviews a fixture from another folder."""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

from eval.cases import load_cases

ROOT = Path(__file__).resolve().parent.parent
# what a fresh clone would not have, or what the wheel must not need
SKIP = shutil.ignore_patterns(
    ".git", ".venv", ".cme_data", "build", "dist", "*.egg-info", "__pycache__", "out", "fixtures"
)


def _declared_packages() -> set[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(data["tool"]["setuptools"]["packages"])


def test_every_code_package_is_declared_for_the_wheel():
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for top in ("review", "eval")
        for p in (ROOT / top).rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    declared = _declared_packages()
    assert found - declared == set(), "add the new package to [tool.setuptools] packages in pyproject.toml"
    assert {"review._data.prompts", "review._data.policy_docs"} <= declared


def _package_data() -> tuple[dict[str, str], dict[str, list[str]]]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    return data.get("package-dir", {}), data["package-data"]


def _data_files() -> dict[Path, str]:
    """Every non-code file the review package reads at run time, with the package it ships in."""
    dirs, _ = _package_data()
    out = {p: ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "review").rglob("*") if p.is_file()}
    for pkg, folder in dirs.items():
        out |= {p: pkg for p in (ROOT / folder).iterdir() if p.is_file()}
    return {p: pkg for p, pkg in out.items() if "__pycache__" not in p.parts and p.suffix not in (".py", ".pyc")}


def test_every_data_file_of_review_is_package_data():
    """thesaurus.yaml, the prompts and the bundled notices match a package-data glob of their package."""
    _, globs = _package_data()
    files = _data_files()
    assert {"thesaurus.yaml", "chat_answer.md"} <= {p.name for p in files}
    missing = [
        str(p.relative_to(ROOT))
        for p, pkg in files.items()
        if not any(fnmatch.fnmatch(p.name, g) for g in globs.get(pkg, []))
    ]
    assert missing == [], "add these to [tool.setuptools.package-data] in pyproject.toml"


def _wheel_data(wheel: Path) -> set[str]:
    """The data files the wheel holds (review/retrieval/thesaurus.yaml, review/_data/prompts/*.md, ...)."""
    with zipfile.ZipFile(wheel) as z:
        return {n for n in z.namelist() if n.startswith("review/") and not n.endswith(".py")}


def _clean_env(tmp: Path) -> dict[str, str]:
    """No CME_* settings, no PYTHONPATH, a home of its own (the data folder goes there)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CME_", "PYTHON", "OPENAI_", "VIRTUAL_ENV"))}
    env.update(HOME=str(tmp / "home"), XDG_DATA_HOME=str(tmp / "home" / "data"))
    return env


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def _build_wheel(tmp: Path) -> Path:
    """pip wheel from a copy of the source tree (offline: no index, no build isolation)."""
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=SKIP)
    out = tmp / "wheels"
    cmd = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index", "-w"]
    res = _run([*cmd, str(out), str(src)], cwd=tmp)
    assert res.returncode == 0, res.stderr[-3000:]
    (wheel,) = out.glob("cme_review-*.whl")
    return wheel


def _fresh_venv(tmp: Path, wheel: Path) -> Path:
    """A venv with only the wheel installed; dependencies come from the project venv through a .pth line."""
    venv = tmp / "venv"
    assert _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp).returncode == 0
    py = venv / "bin" / "python"
    res = _run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps", "--no-index", str(wheel)], tmp
    )
    assert res.returncode == 0, res.stderr[-3000:]
    site = _run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp).stdout.strip()
    (Path(site) / "project_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return venv


@pytest.mark.slow
def test_wheel_reviews_a_fixture_from_another_folder(tmp_path):
    case = next(c for c in load_cases() if c.expect and c.style != "scan" and c.pdf_path.is_file())
    wheel = _build_wheel(tmp_path)
    dirs, _ = _package_data()
    folders = {folder: pkg.replace(".", "/") for pkg, folder in dirs.items()}
    want = set()
    for p in _data_files():
        rel = p.relative_to(ROOT)
        top = folders.get(rel.parts[0])
        want.add(f"{top}/{'/'.join(rel.parts[1:])}" if top else rel.as_posix())
    assert want - _wheel_data(wheel) == set(), "data files missing from the wheel"
    venv = _fresh_venv(tmp_path, wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    draft = elsewhere / "draft.pdf"
    shutil.copyfile(case.pdf_path, draft)
    env = _clean_env(tmp_path)

    where = _run([str(venv / "bin" / "python"), "-c", "import review; print(review.__file__)"], elsewhere, env)
    assert where.stdout.strip().startswith(str(venv)), where.stdout + where.stderr

    res = _run([str(venv / "bin" / "cme-review"), "review", "draft.pdf", "--json", "--explain"], elsewhere, env)
    assert res.returncode in (0, 1) and res.stdout.strip(), f"exit {res.returncode}: {res.stderr[-3000:]}"
    report = json.loads(res.stdout)
    fired = {f["rule"] for f in report["findings"] if not f.get("not_checked")}
    assert set(case.expect) & fired, f"none of {case.expect} fired: {sorted(fired)}"
    explained = [f for f in report["findings"] if f.get("explanation")]
    assert explained and all(f["explained_by"] == "offline" for f in explained)
    # the bundled notices were read from the wheel's package data: citations verify against them
    assert any(f.get("citations") and f.get("verified") for f in explained)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["draft.pdf"], "nothing is written into the working folder"
