"""The kill rate of the last `make mutate` run, per file and in all, from mutmut's records in mutants/.

    python tools/mutation_summary.py [--names FILE] [--survivors]

Killed and timed-out mutants count as caught; survivors and mutants no test reaches ("no tests") as missed;
mutants not run yet are listed apart. `--names FILE` limits the count to the mutant names listed in FILE (one a
line, as `mutmut run NAME...` takes them); `--survivors` lists the names of those that were missed.
"""
import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAUGHT = {1: "killed", 3: "killed", 36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout",
          -9: "killed", -11: "killed", 37: "killed"}
MISSED = {0: "survived", 5: "no tests", 33: "no tests"}


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=Path, default=ROOT / "mutants")
    parser.add_argument("--names", type=Path, help="count only the mutants named in this file")
    parser.add_argument("--survivors", action="store_true", help="list the mutants that were missed")
    args = parser.parse_args()
    if not args.mutants.is_dir():
        parser.error(f"{args.mutants} does not exist: run `make mutate` first")
    chosen = set(args.names.read_text(encoding="utf-8").split()) if args.names else None
    total = Counter()
    for source, outcomes in results(args.mutants).items():
        outcomes = {n: o for n, o in outcomes.items() if chosen is None or n in chosen}
        if outcomes:
            counts = Counter(outcomes.values())
            total.update(counts)
            print(line(source, counts))
            if args.survivors:
                print("".join(f"    {n}: {o}\n" for n, o in sorted(outcomes.items()) if o in MISSED.values()), end="")
    print(line("all", total))
    return 0


def line(label: str, counts: Counter) -> str:
    caught = counts["killed"] + counts["timeout"]
    missed = counts["survived"] + counts["no tests"]
    rate = f"{100 * caught / (caught + missed):5.1f}%" if caught + missed else "   - "
    return (f"{label:36s} {rate} caught {caught:4d} (killed {counts['killed']}, timeout {counts['timeout']}), "
            f"survived {counts['survived']}, no tests {counts['no tests']}, not run {counts['not run']}"
            + (f", suspicious {counts['suspicious']}" if counts["suspicious"] else ""))


if __name__ == "__main__":
    sys.exit(main())
