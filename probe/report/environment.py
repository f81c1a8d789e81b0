"""The kind of environment (a virtual environment and its creator, conda, the system's) and where
the base interpreter came from (pyenv, uv, Homebrew, the OS, ...).

Guessed from folder names and the files tools leave behind (``pyvenv.cfg`` of PEP 405,
``conda-meta``, ``EXTERNALLY-MANAGED`` of PEP 668): the pure functions take them as
arguments; :func:`environment` alone reads this interpreter's.
"""

import os
import sys

from probe.files import read_text
from probe.interpreter import safe_token

# Where interpreters come from, by a fragment of their installation folder (lower case, "/").
INTERPRETER_ORIGINS = (
    ("/.pyenv/", "pyenv"),
    ("/pyenv-win/", "pyenv-win"),
    ("/uv/python/", "uv (managed Python)"),
    ("/hostedtoolcache/", "actions/setup-python"),
    ("/cellar/", "Homebrew"),
    ("/opt/homebrew/", "Homebrew"),
    ("/.linuxbrew/", "Homebrew"),
    ("/library/frameworks/python.framework/", "python.org installer"),
    ("/library/developer/commandlinetools/", "Apple Command Line Tools"),
    ("/xcode.app/", "Xcode"),
    ("/windowsapps/", "Microsoft Store"),
    ("/appdata/local/programs/python/", "python.org installer"),
    ("/program files/python", "python.org installer"),
    ("/program files (x86)/python", "python.org installer"),
    ("/nix/store/", "Nix"),
    ("/.asdf/installs/", "asdf"),
    ("/mise/installs/", "mise"),
    ("/.rye/", "Rye"),
)
# Tools that keep their virtual environments in a folder of their own.
ENVIRONMENT_MANAGERS = (
    ("/pypoetry/virtualenvs/", "Poetry"),
    ("/pipx/venvs/", "pipx"),
    ("/hatch/env/", "Hatch"),
    ("/.nox/", "nox"),
    ("/.tox/", "tox"),
    ("/pipenv/", "Pipenv"),
    ("/.local/share/virtualenvs/", "Pipenv"),
)
# pyvenv.cfg keys that name the tool that created the environment.
CREATORS = (("uv", "uv"), ("virtualenv", "virtualenv"))

VIRTUAL = "virtual environment"
CONDA = "conda environment"
NOT_VIRTUAL = "no virtual environment"


def _folder(path: str) -> str:
    """*path* lower-cased, with ``/`` separators and one trailing ``/``, for matching fragments."""
    return path.replace("\\", "/").lower().rstrip("/") + "/"


def parse_pyvenv_cfg(text: "str | None") -> "dict[str, str]":
    """``key = value`` lines of a virtual environment's ``pyvenv.cfg`` (PEP 405)."""
    fields = {}
    for line in (text or "").splitlines():
        key, equals, value = line.partition("=")
        if equals:
            fields[key.strip().lower()] = value.strip()
    return fields


def interpreter_origin(base_prefix: str, base_is_conda: bool, externally_managed: bool) -> str:
    """Where the base interpreter came from, guessed from its installation folder."""
    if base_is_conda:
        return "conda"
    folder = _folder(base_prefix)
    for fragment, origin in INTERPRETER_ORIGINS:
        if fragment in folder:
            return origin
    if folder == "/usr/":
        return "the operating system (externally managed)" if externally_managed else "the operating system"
    if folder.startswith(("/usr/local/", "/opt/")):
        return "a local installation"
    return "unknown origin"


def environment_facts(
    prefix: str,
    base_prefix: str,
    pyvenv_cfg: "str | None",
    is_conda: bool,
    base_is_conda: bool,
    externally_managed: bool,
    legacy_virtualenv: bool = False,
) -> "dict[str, object]":
    """The kind of environment, who made and manages it, where its interpreter came from, and a summary:
    ``virtual environment (created by uv 0.5.11); interpreter from pyenv``, and the like.

    ``interpreter_origin`` is None for a conda environment, which is its own interpreter's origin.
    """
    origin = interpreter_origin(base_prefix, base_is_conda, externally_managed)
    folder = _folder(prefix)
    created_by, managers, project_venv = None, [], False
    if legacy_virtualenv:
        kind, created_by = VIRTUAL, "virtualenv before 20"
        details = [created_by]
    elif folder != _folder(base_prefix):
        kind = VIRTUAL
        cfg = parse_pyvenv_cfg(pyvenv_cfg)
        made_by = [f"{name} {safe_token(cfg[key])}" for key, name in CREATORS if cfg.get(key)]
        created_by = made_by[0] if made_by else "venv"
        managers = [name for fragment, name in ENVIRONMENT_MANAGERS if fragment in folder]
        project_venv = folder.endswith("/.venv/")
        details = ["created by " + created_by if made_by else "venv"] + ["managed by " + name for name in managers]
        if project_venv:
            details.append("a project's .venv")
    elif is_conda:
        kind, details = CONDA, []
    else:
        kind, details = NOT_VIRTUAL, []
    summary = kind + (" ({})".format(", ".join(details)) if details else "")
    return {
        "kind": kind,
        "created_by": created_by,
        "managed_by": managers,
        "project_venv": project_venv,
        "interpreter_origin": None if kind == CONDA else origin,
        "summary": summary if kind == CONDA else f"{summary}; interpreter from {origin}",
    }


def environment() -> "dict[str, object]":
    """The facts of :func:`environment_facts` for this interpreter."""
    real_prefix = getattr(sys, "real_prefix", None)  # virtualenv before 20 set it
    base_prefix = real_prefix or sys.base_prefix
    stdlib_dir = os.path.dirname(os.__file__)
    return environment_facts(
        sys.prefix,
        base_prefix,
        read_text(os.path.join(sys.prefix, "pyvenv.cfg")),
        os.path.isdir(os.path.join(sys.prefix, "conda-meta")),
        os.path.isdir(os.path.join(base_prefix, "conda-meta")),
        os.path.isfile(os.path.join(stdlib_dir, "EXTERNALLY-MANAGED")),
        legacy_virtualenv=real_prefix is not None,
    )
