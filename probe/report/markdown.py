"""The report as Markdown, ready to paste into a GitHub issue."""

from probe import __version__
from probe.report.findings import found_by_cell, version_cell
from probe.report.notices import code

TYPE_CHECKING = False  # typing is not imported at run time; type checkers treat this as True
if TYPE_CHECKING:
    from probe.report.assembly import Facts


def products_table(products: "list[Facts]", paths: bool) -> str:
    """One row per product: version, distribution, how it was found (and, with *paths*, the file)."""
    head = ["package", "version", "distribution", "found by"] + (["location"] if paths else [])
    rows = ["| {} |".format(" | ".join(head)), "|" + "---|" * len(head)]
    for product in products:
        dist = product["distribution"]
        cells = [
            product["module"],
            version_cell(product),
            "{} {}".format(dist["name"], dist["version"]) if dist else "",
            found_by_cell(product),
        ]
        if paths:
            cells.append(code(product["location"]) if product.get("location") else "")
        rows.append("| {} |".format(" | ".join(cells)))
    return "\n".join(rows)


def deadline_note(deadline: "Facts") -> str:
    """What the deadline left unchecked, and how to wait longer."""
    what = ", ".join(name.replace("_", " ") for name in deadline["not_checked"])
    if not deadline["passed"]:  # the work stopped early (a start-up hook broke it), not the deadline
        return f"not checked: {what}"
    seconds = f"{deadline['seconds']:g}"
    return f"not checked, because the deadline of {seconds} s passed first: {what} (`--timeout SECONDS` waits longer)"


def render_markdown(facts: "Facts") -> str:
    """The facts of :func:`probe.report.assembly.gather_facts` as a Markdown section."""
    paths = "paths" in facts
    lines = [
        "### Python environment",
        "",
        "- **Python**: {}".format(facts["python"]["summary"]),
        "- **OS**: {}".format(facts["os"]["summary"]),
        "- **Architecture**: {}".format(facts["architecture"]["summary"]),
        "- **Environment**: {}".format(facts["environment"]["summary"]),
    ]
    if facts["hardware"]:
        lines.append("- **Hardware**: {}".format(facts["hardware"]["summary"]))
    if paths:
        lines.append("- **Interpreter**: {}".format(code(facts["paths"]["interpreter"])))
        lines.append("- **sys.prefix**: {}".format(code(facts["paths"]["prefix"])))
    lines += ["", products_table(facts["products"], paths), "", "**Noticed**", ""]
    noticed = facts["notices"] + [requirement["message"] for requirement in facts["unmet_requirements"]]
    if facts["deadline"]["not_checked"]:
        noticed.append(deadline_note(facts["deadline"]))
    lines += ["- " + note for note in noticed] if noticed else ["- nothing unusual"]
    lines += ["", f"<sub>`python -m probe --report`, probe {__version__}</sub>"]
    return "\n".join(lines) + "\n"
