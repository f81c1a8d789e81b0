"""Property: for any site-packages tree, the answer is valid JSON, exit 0, every key, every value safe.

Hypothesis generates trees of modules and metadata for the six products and their
alternative distributions (``fastapi-slim``, ``typer-slim``, ...), with random directory
names, random and broken METADATA/RECORD/top_level.txt/installed-files.txt/direct_url.json
contents and bytes, FIFOs, folders and symlink loops where files should be, modules
present or not, in a folder, a source folder and a zip archive on PYTHONPATH. The real
probe runs on each tree as a subprocess.

Each example costs two interpreter starts, so the full run (50 examples) happens on one
CPython and on PyPy; the other interpreters run a few examples as a smoke test
(``PROBE_TREE_EXAMPLES`` overrides both).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hostile import assert_safe_block, last_line
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.version import Version
from support import PRODUCT_MODULES, clean_env, run_probe
from version_strategies import VERSIONS

# FIFOs, symlink loops and file names that are not UTF-8, which other systems refuse or lack.
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")

MODULES = list(PRODUCT_MODULES.values())
DIST_NAMES = [
    "fastapi",
    "fastapi-slim",
    "FastAPI",
    "fastapi_cli",
    "fastapi-cli-slim",
    "fastapi.cloud.cli",
    "pydantic",
    "Starlette",
    "typer",
    "typer-slim",
    "click",
]
FULL_RUN = sys.implementation.name == "pypy" or sys.version_info[:2] == (3, 12)
EXAMPLES = int(os.environ.get("PROBE_TREE_EXAMPLES", "50" if FULL_RUN else "6"))
SRC = "{SRC}"  # stands for the source folder's path in generated direct_url.json


@dataclass
class Content:
    """What stands where a file should be."""

    kind: str  # "bytes", "fifo", "dir", "loop"
    data: bytes = b""


@dataclass
class Module:
    name: str
    place: str  # "site", "src", "zip"
    form: str  # "package", "module", "namespace", "loop"
    init: Content


@dataclass
class Metadata:
    dirname: str
    place: str  # "site", "zip"
    kind: str  # "dir", "file", "loop"
    files: dict[str, Content] = field(default_factory=dict)


@dataclass
class Tree:
    modules: list[Module]
    metadata: list[Metadata]


def text_bytes(text: str, encoding: str) -> bytes:
    return text.encode(encoding, "surrogateescape" if encoding == "utf-8" else "replace")


versions = VERSIONS | st.sampled_from(["0.110.0", "2.7.1", "1.0+acme.host123", "1!2.0rc1.post3.dev4", "", "9" * 70])
encodings = st.sampled_from(["utf-8", "latin-1", "utf-16"])
junk = st.binary(max_size=300).map(lambda data: Content("bytes", data))
odd = st.sampled_from([Content("fifo"), Content("dir"), Content("loop"), Content("bytes", b"")])


@st.composite
def metadata_text(draw: st.DrawFn, name: str) -> Content:
    lines = ["Metadata-Version: 2.1"] if draw(st.booleans()) else []
    lines.append(f"Name: {draw(st.sampled_from([name, *DIST_NAMES]))}")
    if draw(st.integers(0, 4)):
        lines.append(f"{draw(st.sampled_from(['Version', 'version', 'VERSION ', 'Version']))}: {draw(versions)}")
    lines += draw(
        st.lists(st.sampled_from(["Summary: é", "Version: 3.0", "Requires-Dist: x", ": :", "junk"]), max_size=3)
    )
    separator = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    body = separator * 2 + draw(st.text(max_size=50)) if draw(st.booleans()) else ""
    prefix = "\ufeff" if draw(st.integers(0, 5)) == 0 else ""
    return Content("bytes", text_bytes(prefix + separator.join(lines) + body, draw(encodings)))


def module_paths(name: str) -> list[str]:
    return [f"{name}/__init__.py", f"{name}.py", f"{name}/version.py", f"{name}/__init__.pyc"]


@st.composite
def record_text(draw: st.DrawFn) -> Content:
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        path = draw(
            st.sampled_from([path for module in MODULES for path in module_paths(module)])
            | st.text(max_size=20)
            | st.sampled_from(["../../x.py", '"fastapi/__init__.py"', "./fastapi/__init__.py", "fastapi\\__init__.py"])
        )
        digest = draw(
            st.sampled_from(["", "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU", "sha256=x", "md5=1"])
            | st.text(max_size=8)
        )
        size = draw(st.sampled_from(["", "0", "1", "22", "-1", "99999999999999999999"]) | st.text(max_size=4))
        rows.append(f"{path},{digest},{size}")
    return Content("bytes", text_bytes(draw(st.sampled_from(["\n", "\r\n"])).join(rows), "utf-8"))


@st.composite
def direct_url(draw: st.DrawFn) -> Content:
    url = draw(
        st.sampled_from(
            [f"file://{SRC}", f"file://{SRC}/", "file:///", "https://example.com/x", "file://localhost" + SRC]
        )
    )
    editable = draw(st.sampled_from([True, False, "yes", None]))
    data = json.dumps(
        {"url": url, "dir_info": {"editable": editable}} if draw(st.integers(0, 3)) else ["not", "a", "dict"]
    )
    return Content("bytes", data.encode())


@st.composite
def metadata_dir(draw: st.DrawFn) -> Metadata:
    name = draw(st.sampled_from(DIST_NAMES))
    stem = draw(st.sampled_from([name, name.replace("-", "_"), name.upper()]))
    version = draw(versions | st.just(""))
    suffix = draw(st.sampled_from([".dist-info", ".egg-info", ".DIST-INFO", "-py3.8.egg-info"]))
    dirname = f"{stem}-{version}{suffix}" if draw(st.integers(0, 5)) else draw(st.text(max_size=15)) + suffix
    files = {}
    for filename, strategy in (
        ("METADATA", metadata_text(name)),
        ("PKG-INFO", metadata_text(name)),
        ("RECORD", record_text()),
        (
            "top_level.txt",
            st.lists(st.sampled_from([*MODULES, "", "_x"]), max_size=3).map(
                lambda m: Content("bytes", "\n".join(m).encode())
            ),
        ),
        (
            "installed-files.txt",
            st.lists(st.sampled_from([f"../{p}" for m in MODULES for p in module_paths(m)]), max_size=3).map(
                lambda m: Content("bytes", "\n".join(m).encode())
            ),
        ),
        ("direct_url.json", direct_url()),
    ):
        if draw(st.booleans()):
            files[filename] = draw(strategy | junk | odd)
    place = draw(st.sampled_from(["site", "site", "zip"]))
    kind = draw(st.sampled_from(["dir", "dir", "dir", "file", "loop"])) if place == "site" else "dir"
    return Metadata(dirname, place, kind, files)


@st.composite
def module(draw: st.DrawFn, name: str) -> Module:
    place = draw(st.sampled_from(["site", "site", "src", "zip"]))
    form = draw(
        st.sampled_from(["package", "module", "namespace", "loop"] if place != "zip" else ["package", "module"])
    )
    declared = st.builds(
        lambda v, n: Content("bytes", f'{n} = "{v}"\n'.encode("utf-8", "surrogateescape")),
        versions,
        st.sampled_from(["__version__", "VERSION"]),
    )
    init = draw(declared | junk | st.just(Content("bytes", b"")))
    return Module(name, place, form, init)


@st.composite
def trees(draw: st.DrawFn) -> Tree:
    names = draw(st.lists(st.sampled_from(MODULES), unique=True, max_size=6))
    return Tree([draw(module(name)) for name in names], draw(st.lists(metadata_dir(), max_size=7)))


def safe_name(name: str) -> str:
    """A file name Linux accepts: no ``/`` or NUL, encodable, at most 200 bytes."""
    name = name.replace("/", "_").replace("\0", "_") or "_"
    try:
        encoded = os.fsencode(name)
    except UnicodeEncodeError:
        encoded = name.encode("utf-8", "replace")
    return os.fsdecode(encoded[:200]) if name not in (".", "..") else "_"


def put(path: Path, content: Content, src: Path) -> None:
    if os.path.lexists(path):
        return
    if content.kind == "fifo":
        os.mkfifo(path)
    elif content.kind == "dir":
        path.mkdir()
    elif content.kind == "loop":
        path.symlink_to(path)
    else:
        path.write_bytes(content.data.replace(SRC.encode(), os.fsencode(src)))


def materialize(tree: Tree, root: Path) -> list[Path]:
    """Write *tree* under *root*; returns the PYTHONPATH entries."""
    site, src, staged = root / "site", root / "src", root / "zip"
    for folder in (site, src, staged):
        folder.mkdir()
    places = {"site": site, "src": src, "zip": staged}
    for mod in tree.modules:
        base = places[mod.place]
        if mod.form == "package":
            (base / mod.name).mkdir()
            put(base / mod.name / "__init__.py", mod.init, src)
        elif mod.form == "module":
            put(base / f"{mod.name}.py", mod.init, src)
        elif mod.form == "namespace":
            (base / mod.name).mkdir()
        else:
            (base / mod.name).symlink_to(base / mod.name)
    for meta in tree.metadata:
        where = places[meta.place] / safe_name(meta.dirname)
        if os.path.lexists(where):
            continue
        if meta.kind == "loop":
            where.symlink_to(where)
        elif meta.kind == "file":
            first = next(iter(meta.files.values()), Content("bytes", b""))
            put(where, first if first.kind == "bytes" else Content("bytes", b""), src)
        else:
            where.mkdir()
            for filename, content in meta.files.items():
                put(
                    where / filename,
                    content if meta.place != "zip" or content.kind == "bytes" else Content("bytes", b""),
                    src,
                )
    archive = root / "tree.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(staged.rglob("*")):
            if path.is_file() and not path.is_symlink():
                out.write(path, path.relative_to(staged).as_posix())
    return [site, src, archive]


# Whether ``import`` finds each module; a finder that raises (zipimport compiles the source it
# finds, and junk does not compile) means ``import`` fails too.
_IMPORTABLE = """
import importlib.util, sys
for name in sys.argv[1:]:
    try:
        print(importlib.util.find_spec(name) is not None)
    except Exception:
        print(False)
"""


def importable(env: dict[str, str], cwd: Path) -> dict[str, bool]:
    code = _IMPORTABLE
    out = subprocess.run(
        [sys.executable, "-c", code, *MODULES], env=env, capture_output=True, text=True, cwd=cwd, timeout=60
    )
    assert out.returncode == 0, out.stderr
    return dict(zip(MODULES, [line == "True" for line in out.stdout.split()]))


def import_aborts(env: dict[str, str], cwd: Path) -> bool:
    """Whether the bare import system kills the interpreter on this tree.

    PyPy 8.0's zipimporter compiles what it finds, and its tokenizer aborts the process (``Fatal
    RPython error``, SIGABRT) on a zipped source where a digit meets a byte that is not UTF-8
    (``0\\x80``): ``import`` itself dies there, in the user's process as in the probe's.
    """
    out = subprocess.run(
        [sys.executable, "-c", _IMPORTABLE, *MODULES], env=env, capture_output=True, text=True, cwd=cwd, timeout=60
    )
    return out.returncode < 0 and "Fatal RPython error" in out.stderr


@settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(trees())
def test_any_tree_gets_a_safe_answer(tree: Tree) -> None:
    with tempfile.TemporaryDirectory(prefix="probe-tree-") as temporary:
        root = Path(temporary)
        entries = materialize(tree, root)
        env = clean_env(PYTHONPATH=os.pathsep.join(map(str, entries)))
        run = run_probe(sys.executable, env=env, timeout=60)
        if run.returncode != 0 and import_aborts(env, root):
            return  # the interpreter's own import dies on this tree: no process of it can answer
        assert run.returncode == 0, run.stderr
        assert run.stderr == ""
        block = json.loads(last_line(run.stdout))  # strict JSON, the literal last line
        assert block == run.block  # and the documented rule (schema-checked) agrees
        assert_safe_block(block)
        found = importable(env, root)
        for key, name in PRODUCT_MODULES.items():
            value = block[key]
            assert (value is None) == (not found[name]), (key, value)
            if value not in (None, "unknown"):
                assert str(Version(value)) == value and "+" not in value, (key, value)
