"""The package installs from a wheel: a fresh venv outside the checkout reviews a fixture from another folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
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
    venv = _fresh_venv(tmp_path, _build_wheel(tmp_path))
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
