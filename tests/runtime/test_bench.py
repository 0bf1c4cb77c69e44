"""`runtime bench`: the JSON contract the benchmark scripts rely on, on a tiny synth file."""
import json

from runtime.cli import main


def test_bench_json_reports_load_prefill_decode_and_memory(tmp_path, capsys):
    path = tmp_path / "tiny.gguf"
    assert main(["synth", "--preset", "tiny-mixtral", "--type", "Q4_0", str(path)]) == 0
    capsys.readouterr()
    assert main(["bench", str(path), "--json", "--prompt-tokens", "12", "--gen-tokens", "3", "--threads", "1"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["quantization"] == "Q4_0" and result["threads"] == 1
    assert (result["prompt_tokens"], result["gen_tokens"]) == (12, 3)
    for key in ("load_s", "prefill_tok_s", "decode_tok_s", "peak_rss_gb", "file_gb", "kv_cache_gb"):
        assert result[key] > 0, key


def test_bench_refuses_zero_tokens(tmp_path, capsys):
    assert main(["bench", str(tmp_path / "missing.gguf"), "--gen-tokens", "0"]) == 2
    assert "at least 1" in capsys.readouterr().err
