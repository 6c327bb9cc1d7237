"""The quickstart (examples/quickstart/__main__.py), run as the root project's program.

The root Pulumi.yaml has no `main` of its own on purpose: Pulumi runs a project's dynamic
providers in the program's folder and finds `runtime.options.virtualenv` from there, so a
program in examples/quickstart/ would look for `examples/quickstart/.venv` on `up`, while the
Python host had run it with the root's `.venv`.
"""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).parent / "examples" / "quickstart" / "__main__.py"))
