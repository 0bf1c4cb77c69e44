"""compare_llama_cpp.py's results as Markdown: a summary of the ratios against issue 15's targets,
then one table per workload with both runtimes' medians, the targets, the load averages and any
failed run's error."""

TARGETS = {"decode_tok_s": 1.0, "prefill_tok_s": 1.5, "load_s": 1.2}  # Octet / llama.cpp; load: at most
AVX2_DECODE_TARGET = 0.9
ROWS = (("load_s", "load s (until ready for a prompt)", "{:.2f}"), ("prefill_tok_s", "prefill tok/s", "{:.1f}"),
        ("decode_tok_s", "decode tok/s", "{:.1f}"), ("peak_rss_gb", "peak RSS GB", "{:.2f}"))


def ratio(ours: dict | None, theirs: dict | None, metric: str) -> float | None:
    return ours[metric] / theirs[metric] if ours and theirs and theirs[metric] else None


def times(value: float | None) -> str:
    return f"{value:.2f}×" if value is not None else "—"


def verdict(value: float | None, target: float, at_most: bool = False) -> str:
    if value is None:
        return "—"
    met = value <= target if at_most else value >= target
    return f"{value:.2f}× {'✓' if met else '✗'}"


def rss_verdict(workload: dict, ours: dict | None) -> str:
    bound = workload["rss_bound_gb"]
    if not ours or bound is None:
        return "—"
    return f"{ours['peak_rss_gb']:.2f} / {bound:.2f} GB {'✓' if ours['peak_rss_gb'] <= bound else '✗'}"


def avx2_names(workload: dict) -> tuple[str, str] | None:
    """(Octet's forced path, the llama.cpp it is compared with), when the run had one."""
    forced = next((name for name in workload["medians"] if name.startswith("Octet ")), None)
    if not forced:
        return None
    return forced, "llama.cpp avx2" if "llama.cpp avx2" in workload["medians"] else "llama.cpp"


def summary(report: dict) -> list[str]:
    head = ("| workload | Octet kernels | decode ≥ 1.0× | prefill ≥ 1.5× | load ≤ 1.2× "
            "| peak RSS ≤ 1.1 × file + KV + 0.3 GB |")
    forced = any(avx2_names(w) for w in report["workloads"])
    lines = [head + (" forced path: decode ≥ 0.9× |" if forced else ""), "|---" * (6 + forced) + "|"]
    for w in report["workloads"]:
        ours, theirs = w["medians"]["Octet"], w["medians"]["llama.cpp"]
        cells = [w["label"], w["kernels"] or "—", verdict(ratio(ours, theirs, "decode_tok_s"), 1.0),
                 verdict(ratio(ours, theirs, "prefill_tok_s"), 1.5), verdict(ratio(ours, theirs, "load_s"), 1.2, True),
                 rss_verdict(w, ours)]
        if forced:
            names = avx2_names(w)
            cells.append(verdict(ratio(w["medians"][names[0]], w["medians"][names[1]], "decode_tok_s"),
                                 AVX2_DECODE_TARGET) + f" (vs {names[1]})" if names else "—")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def cell(figures: dict | None, metric: str, form: str) -> str:
    return form.format(figures[metric]) if figures else "failed"


def target_cell(workload: dict, ours: dict | None, theirs: dict | None, metric: str) -> str:
    if metric == "peak_rss_gb":
        return "≤ 1.1 × file + KV + 0.3 GB: " + rss_verdict(workload, ours)
    at_most = metric == "load_s"
    met = verdict(ratio(ours, theirs, metric), TARGETS[metric], at_most)
    return f"{'≤' if at_most else '≥'} {TARGETS[metric]}×: {met}"


def workload_table(w: dict) -> list[str]:
    med = w["medians"]
    names = avx2_names(w)
    head = "| metric | Octet | llama.cpp | Octet / llama.cpp | target |"
    if names:
        head += f" {names[0]} | {names[1]} | ratio |"
    lines = [head, "|---" * (5 + 3 * bool(names)) + "|"]
    for metric, title, form in ROWS:
        ours, theirs = med["Octet"], med["llama.cpp"]
        row = [title, cell(ours, metric, form), cell(theirs, metric, form), times(ratio(ours, theirs, metric)),
               target_cell(w, ours, theirs, metric)]
        if names:
            forced = ratio(med[names[0]], med[names[1]], metric)
            row += [cell(med[names[0]], metric, form), cell(med[names[1]], metric, form),
                    verdict(forced, AVX2_DECODE_TARGET) if metric == "decode_tok_s" else times(forced)]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def load_averages(w: dict) -> str:
    parts = []
    for name, runs in w["runs"].items():
        spans = ", ".join(f"{run.get('load_avg_before', '?')}→{run.get('load_avg_after', '?')}" for run in runs)
        parts.append(f"{name} {spans}")
    return "Load average (1 min) before→after each run: " + "; ".join(parts) + "."


def errors(w: dict) -> list[str]:
    return [f"- {name}, run {i + 1} failed: `{run['error'][-400:].replace(chr(10), ' ')}`"
            for name, runs in w["runs"].items() for i, run in enumerate(runs) if "error" in run]


def workload_section(w: dict) -> list[str]:
    kv = f"{w['kv_cache_gb'] * 1000:.1f} MB" if w["kv_cache_gb"] is not None else "?"
    return [f"### {w['label']}", "",
            f"`{w['file']}`: {w['file_gb']:.2f} GB; Octet's KV cache {kv}; Octet ran on {w['kernels']} kernels "
            f"({w['quantization']}); decode limit {w['decode_limit_tok_s']} tok/s (bandwidth / bytes a token reads).",
            "", *workload_table(w), "", load_averages(w), *errors(w), ""]


def llama_build(report: dict, name: str) -> str:
    for w in report["workloads"]:
        for run in w["runs"].get(name, []):
            if "build" in run:
                return f"llama-cpp-python {run['llama_cpp_python']} ({run['build']})"
    return "llama-cpp-python (no successful run)"


def builds(report: dict) -> list[str]:
    lines = [f"llama.cpp: {llama_build(report, 'llama.cpp')}, `{report['llama_python']}`."]
    if report["octet_isa"] and report["llama_avx2_python"]:
        lines.append(f"llama.cpp avx2: {llama_build(report, 'llama.cpp avx2')}, `{report['llama_avx2_python']}`.")
    elif report["octet_isa"]:
        lines.append(f"Octet {report['octet_isa']} (OCTET_KERNEL_ISA={report['octet_isa']}) is compared with the "
                     "native llama.cpp above: no AVX2 build was given (`--install avx2` or `--llama-avx2-python`).")
    return lines


def markdown(report: dict) -> str:
    lines = ["# Octet against llama.cpp", "",
             f"Generated by `benchmarks/compare_llama_cpp.py` on {report['when']}: {report['threads']} threads for "
             f"both runtimes, prompt {report['prompt_tokens']} tokens (the same ids for both), "
             f"{report['gen_tokens']} greedy tokens, medians of {report['repeat']} runs each, one process per run, "
             f"runtimes alternating. Machine read bandwidth {report['bandwidth_gb_s']} GB/s; load average "
             f"{report['load_avg_start']} at the start, {report.get('load_avg_end', '?')} at the end.", "",
             *builds(report), "", f"Command: `{report['command']}`", "",
             "Ratios are Octet / llama.cpp (load: lower is better); ✓ meets issue 15's target.", "",
             *summary(report), ""]
    for w in report["workloads"]:
        lines += workload_section(w)
    return "\n".join(lines)
