"""``python -m probe --report``: a report to paste into a bug report, as Markdown or (``--json``) JSON.

Off the hot path, so it may import more of the standard library, always through
:func:`probe.stdlib.import_stdlib` (a ``plistlib.py`` planted on ``sys.path`` is never run),
and psutil when it is installed. No path is shown unless ``--paths`` is given.

One module per concept: :mod:`.assembly` gathers the facts that :mod:`.markdown` renders (and
:func:`report_json` encodes, as ``schema.json`` describes); :mod:`.requirements` checks
the products' requirements with the vendored packaging;
:mod:`.findings` and :mod:`.notices` are about the products; :mod:`.operating_system`,
:mod:`.architecture` and :mod:`.hardware` about the machine; :mod:`.python_build` and
:mod:`.environment` about the interpreter.
"""


def report(paths: bool) -> str:
    """The report, as Markdown; with *paths*, also where the interpreter and each package live."""
    from probe.report.assembly import gather_facts
    from probe.report.markdown import render_markdown

    return render_markdown(gather_facts(paths))


def report_json(paths: bool) -> str:
    """The report's facts as one JSON object (``probe/report/schema.json``), indented, ASCII only.

    After a newline, as the block is (:func:`probe.emit.write_block`): a start-up hook's output
    left without one cannot join the object's opening brace, which starts a line.
    """
    from probe.files import import_stdlib
    from probe.report.assembly import gather_facts

    return "\n" + str(import_stdlib("json").dumps(gather_facts(paths), indent=2)) + "\n"
