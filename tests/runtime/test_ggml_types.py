"""runtime.weights.ggml_types: the format's type numbers and block sizes are the `gguf` package's, and reading
and running a model (what the worker does) never imports `gguf`, whose __init__ pulls in mistral_common,
huggingface_hub's HTTP client and pydantic wherever they are installed."""
import subprocess
import sys
from pathlib import Path

import gguf

from runtime.weights.ggml_types import GGML_QUANT_SIZES, GGMLQuantizationType, GGUFValueType

ROOT = Path(__file__).resolve().parents[2]


def test_every_tensor_type_has_ggufs_name_number_and_block():
    for ours in GGMLQuantizationType:
        if ours.name in gguf.GGMLQuantizationType.__members__:  # an older gguf may lack the newest types
            theirs = gguf.GGMLQuantizationType[ours.name]
            assert int(ours) == int(theirs) and GGML_QUANT_SIZES[ours] == gguf.GGML_QUANT_SIZES[theirs], ours.name
    assert set(GGML_QUANT_SIZES) == set(GGMLQuantizationType)


def test_every_value_type_has_ggufs_number():
    assert {t.name: int(t) for t in GGUFValueType} == {t.name: int(t) for t in gguf.GGUFValueType}


def test_loading_and_answering_with_a_model_imports_no_gguf(starter_path):
    code = (
        "import sys\n"
        "from runtime.engine import Engine\n"
        "from runtime.sampling_params import SamplingParams\n"
        "engine = Engine(threads=1)\n"
        "engine.load(sys.argv[1], context_length=256)\n"
        "text = ''.join(engine.chat([{'role': 'user', 'content': 'Hi'}], params=SamplingParams(temperature=0),"
        " max_tokens=4))\n"
        "print(repr(text), sorted(m for m in ('gguf', 'mistral_common', 'pydantic') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code, str(starter_path)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    answer, modules = out.stdout.strip().rsplit(" ", 1)
    assert answer not in ("''", '""') and modules == "[]", out.stdout
