"""The block's keys and statuses: the one list the head, the CLI, the lookup and the tests read.

Each key is public API (``schema.json`` describes it; the extension's TypeScript type is
generated from that schema). A key name is spelled here and in ``schema.json``, nowhere else
in the probe; ``probe/legacy.py``, which must parse on Python 2.7, keeps its own copy of the
head's keys, and a unit test holds it to this list.
"""

# probe_status: every product asked for answered; the deadline passed first; finding one
# failed unexpectedly; an interpreter older than 3.8.
STATUS_OK = "ok"
STATUS_TIMEOUT = "timeout"
STATUS_ERROR = "error"
STATUS_UNSUPPORTED = "unsupported_python"

# The keys that need no reading of the interpreter; probe_schema_version first (the framing rule).
PROBE_SCHEMA_VERSION = "probe_schema_version"
PROBE_VERSION = "probe_version"
PROBE_STATUS = "probe_status"

# The interpreter's keys.
PYTHON_VERSION = "python_version"
PYTHON_IMPLEMENTATION = "python_implementation"
PYTHON_PLATFORM = "python_platform"
PYTHON_ARCH = "python_arch"

# Every block starts with these, in this order (schema.json's "required").
HEAD_KEYS = (
    PROBE_SCHEMA_VERSION,
    PROBE_VERSION,
    PROBE_STATUS,
    PYTHON_VERSION,
    PYTHON_IMPLEMENTATION,
    PYTHON_PLATFORM,
    PYTHON_ARCH,
)

# The six products, in the block's order: (key, the module ``import`` loads, the distributions
# that may have installed it). A distribution named on the command line is reported under
# its PEP 503 name with ``-`` as ``_`` plus :data:`PRODUCT_SUFFIX`.
PRODUCT_SUFFIX = "_version"
PRODUCTS: "tuple[tuple[str, str, tuple[str, ...]], ...]" = (
    ("fastapi_version", "fastapi", ("fastapi", "fastapi-slim")),
    ("fastapi_cli_version", "fastapi_cli", ("fastapi-cli", "fastapi-cli-slim")),
    ("fastapi_cloud_cli_version", "fastapi_cloud_cli", ("fastapi-cloud-cli",)),
    ("pydantic_version", "pydantic", ("pydantic",)),
    ("starlette_version", "starlette", ("starlette",)),
    ("typer_version", "typer", ("typer", "typer-slim")),
)
