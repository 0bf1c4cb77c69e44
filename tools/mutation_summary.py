"""The kill rate of the last `make mutate` run, per file, per package and in all, from mutmut's records in mutants/.

    python tools/mutation_summary.py [--mutants DIR] [--names FILE...] [--equivalent FILE] [--survivors] [--diffs]

Killed and timed-out mutants count as caught; survivors and mutants no test reaches ("no tests") as missed;
mutants not run yet are listed apart. `--names FILE` limits the count to the mutant names listed in the files
(one a line, as `mutmut run NAME...` takes them: a fixed random sample, say). `--equivalent FILE` leaves out the
mutants named in backticks under FILE's "## Equivalent mutants" heading (docs/mutation.md: mutants that cannot
change behaviour, each with its reason).
`--survivors` lists the names of those that were missed; `--diffs` adds each one's changed line(s).
"""
import argparse
import ast
import difflib
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAUGHT = {1: "killed", 3: "killed", 36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout",
          -9: "killed", -11: "killed", 37: "killed"}
MISSED = {0: "survived", 5: "no tests", 33: "no tests"}
NAME = re.compile(r"`([\w.]+(?:\u01c1\w+\u01c1)?\w*__mutmut_\d+)`")


def equivalent_names(text: str) -> set[str]:
    """The mutant names in backticks under the "## Equivalent mutants" heading (up to the next "## " heading)."""
    section = text.split("\n## Equivalent mutants", 1)[-1].split("\n## ", 1)[0] if "## Equivalent" in text else ""
    return set(NAME.findall(section))


def outcome(exit_code) -> str:
    if exit_code is None:
        return "not run"
    return CAUGHT.get(exit_code) or MISSED.get(exit_code) or "suspicious"


def results(mutants: Path) -> dict[str, dict[str, str]]:
    """{source file: {mutant name: outcome}} from mutmut's .meta files."""
    found = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
        found[str(meta.relative_to(mutants))[:-len(".meta")]] = {name: outcome(code) for name, code in codes.items()}
    return found


def changed_lines(mutants: Path, source: str, name: str, _cache={}) -> list[str]:
    """The lines mutant `name` changes in `source` (from the mutated copy mutmut keeps in mutants/)."""
    if source not in _cache:
        text = (mutants / source).read_text(encoding="utf-8")
        lines = text.splitlines()
        _cache[source] = {node.name: lines[node.lineno:node.end_lineno] for node in ast.walk(ast.parse(text))
                          if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and "__mutmut_" in node.name}
    functions = _cache[source]
    function = name.rsplit(".", 1)[-1] if "\u01c1" not in name else name[name.index(".x\u01c1") + 1:]
    original = functions.get(function.rsplit("__mutmut_", 1)[0] + "__mutmut_orig", [])
    return [line.strip() for line in difflib.unified_diff(original, functions.get(function, []), lineterm="", n=0)
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=Path, default=ROOT / "mutants")
    parser.add_argument("--names", type=Path, nargs="+", help="count only the mutants named in these files")
    parser.add_argument("--equivalent", type=Path, help="leave out the mutants named in backticks in this file")
    parser.add_argument("--survivors", action="store_true", help="list the mutants that were missed")
    parser.add_argument("--diffs", action="store_true", help="with --survivors: show what each one changed")
    args = parser.parse_args()
    if not args.mutants.is_dir():
        parser.error(f"{args.mutants} does not exist: run `make mutate` first")
    chosen = {n for f in args.names for n in f.read_text(encoding="utf-8").split()} if args.names else None
    equivalent = equivalent_names(args.equivalent.read_text(encoding="utf-8")) if args.equivalent else set()
    total, packages = Counter(), {}
    for source, outcomes in results(args.mutants).items():
        outcomes = {n: o for n, o in outcomes.items() if chosen is None or n in chosen}
        counts = Counter("equivalent" if n in equivalent else o for n, o in outcomes.items())
        if not outcomes:
            continue
        total.update(counts)
        packages.setdefault(str(Path(source).parent), Counter()).update(counts)
        print(line(source, counts))
        if args.survivors:
            for name, result in sorted(outcomes.items()):
                if result in MISSED.values() and name not in equivalent:
                    print(f"    {name}: {result}")
                    if args.diffs:
                        print("".join(f"        {change}\n" for change in changed_lines(args.mutants, source, name)),
                              end="")
    if len(packages) > 1:
        for package, counts in sorted(packages.items()):
            print(line(package + "/", counts))
    print(line("all", total))
    return 0


def line(label: str, counts: Counter) -> str:
    caught = counts["killed"] + counts["timeout"]
    missed = counts["survived"] + counts["no tests"]
    rate = f"{100 * caught / (caught + missed):5.1f}%" if caught + missed else "   - "
    return (f"{label:36s} {rate} caught {caught:4d} / {caught + missed:4d} (killed {counts['killed']}, timeout "
            f"{counts['timeout']}), survived {counts['survived']}, no tests {counts['no tests']}, "
            f"not run {counts['not run']}"
            + (f", equivalent {counts['equivalent']}" if counts["equivalent"] else "")
            + (f", suspicious {counts['suspicious']}" if counts["suspicious"] else ""))


if __name__ == "__main__":
    sys.exit(main())
