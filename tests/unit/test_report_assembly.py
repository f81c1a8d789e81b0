"""The report assembled in-process from this interpreter's facts: a section or a product lookup that
fails costs only itself, and the object still matches the shipped schema."""

from __future__ import annotations

import json
import os
import sys

import pytest
from support import REPORT_SCHEMA_FILE, report_validator

from probe.report import assembly, findings
from probe.report.markdown import render_markdown


def test_a_section_that_fails_is_named_and_the_rest_still_comes(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process, with the OS reader broken: the object still matches the schema."""

    def broken() -> dict[str, str]:
        raise KeyError("NAME")

    monkeypatch.setattr(assembly, "os_facts", broken)
    # As under ``python -m probe``: the current folder first, which the user's search path leaves out.
    monkeypatch.setattr(sys, "path", [os.getcwd(), *sys.path])
    before = list(sys.path)
    facts = assembly.gather_facts(paths=False, timeout=60)
    assert sys.path == before  # the user's search path is handed to the lookups, not assigned
    report_validator().validate(facts)
    assert facts["os"] == {"summary": "unknown (KeyError)", "error": "KeyError"}
    assert facts["issue_form"]["os"] == "" and facts["python"]["version"] == facts["issue_form"]["python-version"]


def test_a_product_whose_lookup_fails_is_shown_as_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    """As the block's ``error`` status: the version is unknown (``?``), and the exception named."""

    def broken(target: object, search_path: object) -> None:
        raise PermissionError("/home/someone")

    monkeypatch.setattr(findings, "explain", broken)
    facts = assembly.gather_facts(paths=False, timeout=60)
    report_validator().validate(facts)
    assert facts["products"][0] == {
        "module": "fastapi",
        "version": None,
        "distribution": None,
        "found_by": "failed",
        "error": "PermissionError",
    }
    assert "| fastapi | ? |  | failed (PermissionError) |" in render_markdown(facts).splitlines()
    assert facts["issue_form"]["fastapi-version"] == ""


def test_report_schema_lists_every_key_it_allows() -> None:
    schema = json.loads(REPORT_SCHEMA_FILE.read_text(encoding="utf-8"))
    assert [*schema["required"], "paths"] == list(schema["properties"])
    assert schema["properties"]["issue_form"]["required"] == ["python-version", "fastapi-version", "os"]
