"""``python <bundle>/probe/__main__.py``: how the extension runs the probe, for interpreters that keep
the current folder off ``sys.path`` (``-I``, ``-P``, the Windows embeddable CPython's ``._pth``),
where ``python -m probe`` cannot find it. The bundle folder is on ``sys.path`` then, and left out
of what the probe reports: a distribution in it (a decoy no real install puts there) never counts.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support import clean_env, copy_probe, parse_block, run_probe

MODES = [(), ("-I",), ("-E", "-s")] + ([("-P",)] if sys.version_info >= (3, 11) else [])


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = copy_probe(tmp_path_factory.mktemp("run-as-file"))
    (folder / "fastapi").mkdir()
    (folder / "fastapi" / "__init__.py").write_text("__version__ = '9.9.9'\n")
    (folder / "fastapi-9.9.9.dist-info").mkdir()
    (folder / "fastapi-9.9.9.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: fastapi\nVersion: 9.9.9\n"
    )
    return folder


def run_file(bundle: Path, *flags: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *flags, str(bundle / "probe" / "__main__.py")],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


@pytest.mark.parametrize("flags", MODES, ids=lambda flags: " ".join(flags) or "plain")
@pytest.mark.parametrize("where", ["bundle", "elsewhere"])
def test_a_block_in_every_mode_without_the_bundle_folder(
    bundle: Path, tmp_path: Path, flags: tuple[str, ...], where: str
) -> None:
    expected = run_probe(sys.executable, cwd=bundle).block  # python -m probe, the documented command
    assert expected["fastapi_version"] is None, "the decoy beside probe/ is not the user's fastapi"
    run = run_file(bundle, *flags, cwd=bundle if where == "bundle" else tmp_path)
    assert (run.returncode, run.stderr) == (0, "")
    assert parse_block(run.stdout) == expected


def test_minus_m_cannot_find_the_probe_in_isolated_mode(bundle: Path) -> None:
    """Why the extension runs the file: ``-I`` keeps the current folder off ``sys.path``."""
    run = subprocess.run(
        [sys.executable, "-I", "-m", "probe"], cwd=bundle, env=clean_env(), capture_output=True, text=True, timeout=60
    )
    assert (run.returncode, run.stdout) == (1, "")
    assert "No module named probe" in run.stderr
