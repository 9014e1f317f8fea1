"""Sphinx configuration of the sklearn-rsmi documentation.

Build (from the repository root; ``-W`` turns every warning into an error)::

    python -m sphinx -W -b html doc doc/_build/html                    # runs the gallery
    python -m sphinx -W -b html -D plot_gallery=0 doc doc/_build/html  # does not

or ``make -C doc html`` / ``make -C doc html-noplot``. Environment variables read here:

``SKLEARN_RSMI_GALLERY_QUICK`` (default ``1``)
    Exported to the gallery scripts, which run in this process: ``1`` asks them for their
    reduced sizes, ``0`` for the papers' sizes.
``SKLEARN_RSMI_GALLERY_PATTERN`` (default ``/plot_``)
    Regular expression of the example file names that are executed; the others are
    rendered without output.
``SKLEARN_RSMI_DOC_INTERSPHINX`` (default unset)
    Set to ``1`` to link numpy, scipy, scikit-learn and joblib names to their docs. Off by
    default because fetching the inventories needs the network, and a failed fetch is a
    warning, hence an error under ``-W``.
"""

import os
import re
from pathlib import Path

import sklearn_rsmi

DOC_DIR = Path(__file__).resolve().parent
REPO_DIR = DOC_DIR.parent

# -- project ----------------------------------------------------------------------------------
project = "sklearn-rsmi"
author = "sklearn-rsmi developers"
copyright = "sklearn-rsmi developers"
release = sklearn_rsmi.__version__
version = release

# -- extensions -------------------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # Serves MathJax from the built site instead of a CDN: the math renders offline, on a
    # cluster node or from a copy of _build/html.
    "sphinx-mathjax-offline",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
default_role = "literal"  # `x` in prose renders as code instead of failing as a reference

# -- autodoc / autosummary / numpydoc ---------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"
# The API pages list members through the autosummary templates in _templates/autosummary,
# so numpydoc must not add a second, automatic members table.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# -- intersphinx (opt-in, see the module docstring) -------------------------------------------
if os.environ.get("SKLEARN_RSMI_DOC_INTERSPHINX") == "1":
    extensions.append("sphinx.ext.intersphinx")
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable/", None),
        "scipy": ("https://docs.scipy.org/doc/scipy/", None),
        "sklearn": ("https://scikit-learn.org/stable/", None),
        "joblib": ("https://joblib.readthedocs.io/en/stable/", None),
        "matplotlib": ("https://matplotlib.org/stable/", None),
    }

# -- sphinx-gallery ---------------------------------------------------------------------------
# The example scripts run inside this process: they read this variable to pick their sizes.
os.environ.setdefault("SKLEARN_RSMI_GALLERY_QUICK", "1")
# Keep the gallery's Monte Carlo samples out of the user's cache unless asked otherwise.
os.environ.setdefault("SKLEARN_RSMI_DATA", str(DOC_DIR / "_build" / "rsmi_data"))

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": os.environ.get("SKLEARN_RSMI_GALLERY_PATTERN", "/plot_"),
    "ignore_pattern": r"__init__\.py|/_",
    "doc_module": ("sklearn_rsmi",),
    "backreferences_dir": "gen_modules/backreferences",
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
    "min_reported_time": 1,
    "show_memory": False,
}

# -- HTML -------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-rsmi {release}"
html_static_path = []
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"getting_started": [], "performance": [], "papers": []}


def _quiet_about_figures_a_quick_build_skips(app, config):
    # The papers page shows the gallery's figures; a build that does not run the gallery
    # (plot_gallery=0) has none to show, which is not an error of the pages.
    if str(config.plot_gallery) in ("0", "False"):
        config.suppress_warnings = [*config.suppress_warnings, "image.not_readable"]


def setup(app):
    app.connect("config-inited", _quiet_about_figures_a_quick_build_skips, priority=900)
html_show_sourcelink = False
html_copy_source = False


# -- the Performance page's table, read from README.md -----------------------------------------
# README.md is the one place the benchmark figures are recorded; the Performance page
# includes this conversion of its "## Performance" section, so the two cannot drift apart.
def _markdown_inline_to_rst(text):
    text = re.sub(r"`([^`]+)`", r"``\1``", text)
    return text.replace("|", "\\|")


def _readme_performance_rst(readme_text):
    match = re.search(r"^## Performance\s*$(.*?)(?=^## |\Z)", readme_text, re.M | re.S)
    if match is None:
        raise RuntimeError("README.md has no '## Performance' section for doc/performance.rst")
    lines = match.group(1).strip().splitlines()
    rows = [line for line in lines if line.lstrip().startswith("|")]
    if len(rows) < 3:
        raise RuntimeError("README.md's Performance section has no table for doc/performance.rst")
    start, stop = lines.index(rows[0]), lines.index(rows[-1])
    before = "\n".join(lines[:start]).strip()
    after = "\n".join(lines[stop + 1 :]).strip()
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows]
    header, body = cells[0], [c for c in cells[2:]]
    out = []
    if before:
        out += [_markdown_inline_to_rst(before), ""]
    out += [".. list-table::", "   :header-rows: 1", "   :widths: 45 55", ""]
    for row in [header, *body]:
        out.append(f"   * - {_markdown_inline_to_rst(row[0])}")
        out.extend(f"     - {_markdown_inline_to_rst(cell)}" for cell in row[1:])
    if after:
        out += ["", _markdown_inline_to_rst(after)]
    return "\n".join(out) + "\n"


def _write_if_changed(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


_write_if_changed(
    DOC_DIR / "gen_modules" / "readme_performance.rst.inc",
    _readme_performance_rst((REPO_DIR / "README.md").read_text()),
)
