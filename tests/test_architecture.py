"""The imports docs/architecture.md says must never exist, checked on the source tree: every import
statement of app/ and runtime/ (at module level or inside a function) is read with `ast`."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "runtime")

# (modules, what they must never import, why): a module matches a prefix if it is it or lies under it.
NEVER = [
    (("app",), ("torch", "numpy", "runtime.engine", "runtime.loader", "runtime.model", "runtime.quant",
                "runtime.weights", "runtime.text"), "the window's process stays free of torch"),
    (("runtime",), ("PySide6", "shiboken6", "app"), "the runtime runs headless, without Qt"),
    (("runtime.model", "runtime.kv_cache", "runtime.rope", "runtime.quant", "runtime.weights"),
     ("runtime.text",), "the model knows no text"),
    (("runtime.weights",), ("runtime.quant", "runtime.model", "runtime.loader", "runtime.engine"),
     "readers know files, not what the loader makes of them"),
    (("runtime.quant",), ("runtime.model", "runtime.loader", "runtime.engine"), "quantized formats sit below the model"),
    (("runtime.text",), ("torch", "runtime.model", "runtime.quant", "runtime.weights", "runtime.loader"),
     "tokenizers and templates are plain text"),
    (("app.history",), ("PySide6", "app.ui", "app.chat", "app.models"), "the history is plain Python"),
    (("app.files",), ("PySide6", "app", "runtime"), "atomic writes, used by the history and the models, import nothing"),
    (("runtime.memory_estimate", "runtime.config"), ("torch", "numpy", "gguf", "runtime.weights", "runtime.quant.kernels",
                                                     "runtime.quant.formats", "runtime.quant.gguf_blocks"),
     "the memory estimate reads headers in the window's process, without torch or numpy"),
    (("runtime.weights.ggml_types",), ("torch", "numpy", "gguf", "runtime"),
     "the format's type numbers import nothing: the memory estimate and the file readers share them"),
    (("runtime.quant.native",), ("torch", "numpy", "runtime.quant.kernels", "runtime.quant.formats"),
     "which native library runs is known without torch (the window's memory estimate, setup.py)"),
]
# (importer, target) pairs that NEVER's prefixes would forbid but that are allowed: the memory estimate reads
# the format's type numbers from runtime.weights.ggml_types, which imports nothing (the rule above); the GGUF
# reader's string arrays are cut by the native library, whose file runtime.quant.native names (standard
# library only: the rule above).
ALLOWED = {("runtime.memory_estimate", "runtime.weights.ggml_types"),
           ("runtime.weights.string_arrays", "runtime.quant.native")}
# Modules the app's process loads: nothing they import at module level may pull torch in.
TORCH_FREE_AT_IMPORT = ("runtime", "runtime.paths", "runtime.errors", "runtime.starter", "runtime.cli",
                        "runtime.worker", "runtime.memory_estimate")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")}


def imports_of(name: str, path: Path, modules: dict) -> list[tuple[str, bool]]:
    """(imported module, at module level?) for every import statement of the module."""
    is_package = path.name == "__init__.py"
    found = []

    def walk(node, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend((alias.name, not in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = resolve(name, is_package, child.level, child.module)
                for alias in child.names:
                    candidate = f"{base}.{alias.name}"
                    found.append((candidate if candidate in modules else base, not in_function))
            walk(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    walk(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def resolve(name: str, is_package: bool, level: int, module: str | None) -> str:
    if level == 0:
        return module
    parts = name.split(".") if is_package else name.split(".")[:-1]
    parts = parts[:len(parts) - (level - 1)]
    return ".".join(parts + ([module] if module else []))


def under(module: str, prefixes) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


@pytest.fixture(scope="module")
def graph() -> dict[str, list[tuple[str, bool]]]:
    modules = source_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


@pytest.mark.parametrize("importers, forbidden, why", NEVER, ids=[rule[2] for rule in NEVER])
def test_never_imports(graph, importers, forbidden, why):
    broken = sorted(f"{module} imports {target}" for module, targets in graph.items() if under(module, importers)
                    for target, _ in targets if under(target, forbidden) and (module, target) not in ALLOWED)
    assert not broken, f"{why}: " + "; ".join(broken)


def test_what_the_app_loads_imports_no_torch(graph):
    """The runtime modules the app imports, and all they import at module level, never import torch."""
    seen, stack = set(), [m for m in graph if under(m, ("app",))] + list(TORCH_FREE_AT_IMPORT)
    while stack:
        module = stack.pop()
        if module in seen:
            continue
        seen.add(module)
        for target, at_top in graph.get(module, []):
            assert not under(target, ("torch",)) or not at_top, f"{module} imports torch, and the app loads it"
            if target in graph and (at_top or under(module, ("app",))):
                stack.append(target)
    assert "runtime.worker.client" in seen and "runtime.worker.process" in seen


def test_no_import_cycles(graph):
    """No circle among our modules, counting imports inside functions too."""
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target, _ in graph[module]:
            target = target if target in graph else None
            if target is None or target == module or module.startswith(target + "."):
                continue  # third-party, or a package's own __init__ (docstrings only)
            if state.get(target) == "open":
                cycle = path[path.index(target):] + [target] if target in path else [module, target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target, path + [target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_the_rules_see_imports_inside_functions(graph):
    """The checker reads imports inside functions (the worker's deferred engine import is one)."""
    assert ("runtime.engine", False) in graph["runtime.worker.process"]
