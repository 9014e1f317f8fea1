"""The benchmark and example scripts import only names the package still has.

The scripts are not run by the default suite (they take minutes to hours), so a rename in the
package would otherwise break them silently until someone re-measures.
"""

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(
    [*ROOT.glob("benchmarks/*.py"), *ROOT.glob("benchmarks/_stage_timers/*.py"),
     *ROOT.glob("examples/*.py")]
)


def _package_imports(path):
    """(module, name) for every ``from sklearn_rsmi... import name`` in the script."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sklearn_rsmi"):
            for alias in node.names:
                yield node.module, alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("sklearn_rsmi"):
                    yield alias.name, None


def test_scripts_found():
    assert len(SCRIPTS) >= 10


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_script_imports_resolve(path):
    missing = []
    for module_name, name in _package_imports(path):
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            missing.append(f"{module_name} ({exc})")
            continue
        if name is not None and not hasattr(module, name):
            try:
                importlib.import_module(f"{module_name}.{name}")
            except ImportError:
                missing.append(f"{module_name}.{name}")
    assert not missing, f"{path.name} imports names the package does not have: {missing}"
