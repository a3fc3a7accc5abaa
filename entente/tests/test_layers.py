"""Imports run one way: down the layers of the README's architecture section.

Every import of the project's own modules (tests and migrations aside, which may
import anything and nothing respectively) is read from the source, functions' bodies
included, and checked against the declared order: an app imports only from its own
package or from a lower layer, and inside an app only down the module order.
"""

import ast
from pathlib import Path

import entente

ROOT = Path(entente.__file__).parent

# Bottom first. Apps on one layer do not import each other; the project's root modules
# (the top layer) put the apps together and may use one another.
LAYERS = [
    {"core", "formats"},
    {"audit"},
    {"apikit"},
    {"accounts"},
    {"attachments", "comments"},
    {"agreements"},
    {"meetings", "training", "liaison", "sync"},
    {"records", "reports", "exports", "imports", "notices"},
    {"demo"},
    {"api", "urls", "cli", "wsgi", "settings", "testing", "conftest", "tests"},
]
LAYER_OF = {unit: level for level, units in enumerate(LAYERS) for unit in units}

# Inside an app; modules not named here (helpers such as liaison/clock.py) are checked
# only between apps. apps.py is left out: its ready() is where an app registers itself
# with the layers below, which is the point of it.
MODULE_ORDER = {
    "enums": 0,
    "models": 1,
    "translation": 2,
    "selectors": 2,
    "services": 3,
    "filters": 4,
    "forms": 4,
    "schemas": 4,
    "views": 5,
    "api": 5,
    "admin": 5,
    "urls": 6,
    "management": 6,
}


def _source_files() -> list[Path]:
    return [
        path
        for path in sorted(ROOT.rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(ROOT).parts[:-1])
    ]


def _module_parts(path: Path) -> list[str]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of every `entente.…` module or name the file imports."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return [(line, name) for line, name in found if name.split(".")[0] == "entente"]


def _rank(module: str | None) -> int | None:
    return MODULE_ORDER.get(module) if module else None


def _violation(source: list[str], target: list[str]) -> str | None:
    src_unit, dst_unit = source[0], target[0]
    top = len(LAYERS) - 1
    if src_unit != dst_unit and not LAYER_OF.get(src_unit) == LAYER_OF.get(dst_unit) == top:
        if dst_unit not in LAYER_OF:
            return f"{dst_unit} is on no layer"
        if LAYER_OF[dst_unit] >= LAYER_OF[src_unit]:
            return f"{src_unit} (layer {LAYER_OF[src_unit]}) imports {dst_unit} (layer {LAYER_OF[dst_unit]})"
        return None
    if len(source) < 2 or source[1] == "apps":
        return None
    src_rank = _rank(source[1])
    dst_rank = _rank(target[1] if len(target) > 1 else None)
    if src_rank is not None and dst_rank is not None and dst_rank > src_rank:
        return f"{source[1]} imports {target[1]}, which is above it in {src_unit}"
    return None


def test_every_package_is_on_a_layer():
    units = {path.relative_to(ROOT).parts[0].removesuffix(".py") for path in _source_files()}
    assert sorted(units - set(LAYER_OF) - {"__init__"}) == []


def test_imports_only_go_down():
    problems = []
    for path in _source_files():
        source = _module_parts(path)
        if not source:
            continue
        for line, name in _imports(path):
            target = name.split(".")[1:]
            if not target:
                continue
            problem = _violation(source, target)
            if problem:
                problems.append(f"{path.relative_to(ROOT.parent)}:{line}: {problem}")
    assert problems == []


def test_the_check_catches_an_upward_import():
    # The rule itself: a domain app reaching up into reports, a model reaching into views,
    # and two apps of one layer, are all refused; going down is not.
    assert _violation(["agreements", "views"], ["reports", "views"])
    assert _violation(["meetings", "services"], ["training", "selectors"])
    assert _violation(["agreements", "models"], ["agreements", "views"])
    assert _violation(["reports", "views"], ["agreements", "selectors"]) is None
    assert _violation(["urls"], ["api"]) is None
    assert _violation(["agreements", "views"], ["agreements", "models"]) is None
