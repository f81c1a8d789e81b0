"""Code of other projects, copied unchanged, for ``python -m probe --report`` only.

``packaging/``: packaging 25.0 (https://github.com/pypa/packaging), BSD-2-Clause or
Apache-2.0 (its LICENSE files are beside it), from its PyPI wheel by ``tools/vendor.py``,
without ``metadata.py`` and ``licenses/``, which nothing here imports. The block's hot path
never imports it; the report imports it through :func:`probe.files.import_stdlib`.
"""

PACKAGING_VERSION = "25.0"
