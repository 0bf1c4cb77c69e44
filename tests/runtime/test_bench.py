"""`runtime bench`: the JSON contract the benchmark scripts rely on, on a tiny synth file."""
import json
import time

from runtime.bench import format_report
from runtime.cli import main
from runtime.quant.kernels import kernel_path
from runtime.synth import preset_config


def test_bench_json_reports_load_prefill_decode_and_memory(tmp_path, capsys):
    path = tmp_path / "tiny.gguf"
    assert main(["synth", "--preset", "tiny-mixtral", "--type", "Q4_0", str(path)]) == 0
    capsys.readouterr()
    started = time.perf_counter()
    assert main(["bench", str(path), "--json", "--prompt-tokens", "12", "--gen-tokens", "3", "--threads", "1"]) == 0
    wall = time.perf_counter() - started
    result = json.loads(capsys.readouterr().out)
    assert result["quantization"] == "Q4_0" and result["threads"] == 1
    assert result["kernels"] == kernel_path() and f"{kernel_path()} kernels" in format_report(result)
    assert (result["prompt_tokens"], result["gen_tokens"]) == (12, 3)
    for key in ("load_s", "prefill_tok_s", "decode_tok_s", "peak_rss_gb", "file_gb", "kv_cache_gb"):
        assert result[key] > 0, key
    # the phases' own times fit in the run's wall time (a rate reported upside down, or a phase timed
    # twice, does not), and the sizes are the file's and the cache's own
    phases = result["load_s"] + 12 / result["prefill_tok_s"] + 3 / result["decode_tok_s"]
    assert phases <= wall
    assert result["file_gb"] == round(path.stat().st_size / 1e9, 3)
    config = preset_config("tiny-mixtral")
    positions = 12 + 3 + 16  # the context the bench asks for
    kv_bytes = 2 * config.num_hidden_layers * config.num_key_value_heads * positions * config.head_dim * 2  # bf16
    assert result["kv_cache_gb"] == round(kv_bytes / 1e9, 6)
    assert result["peak_rss_gb"] >= result["file_gb"]


def test_bench_refuses_zero_tokens(tmp_path, capsys):
    assert main(["bench", str(tmp_path / "missing.gguf"), "--gen-tokens", "0"]) == 2
    assert "at least 1" in capsys.readouterr().err
