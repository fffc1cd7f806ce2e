"""Derives .bench/models/bench-decoder-words from .bench/models/bench-decoder.

Why: bench-decoder (random weights, SmolLM2-135M shape) answers greedily with
one letter repeated ("kkkk…"): its random layers add little to the residual
stream, so the logits mostly copy the last token, and its logit bias allows
only letters and space. TextStreamer emits text only at a space or newline, so
a whole reply arrives as ONE delta at the end: no time to first token to see,
and none of the per-delta cost (postMessage, React render, Dexie) the studio
benchmark must measure.

What: three rows of the *input* embedding table (the Gather initializer; the
lm_head is a separate initializer in this export) are set to a scaled column of
the lm_head, so that after "\\n" the model says "a", after "a" a space and
after a space "a" again. Greedy output is then "a a a a …": deterministic, one
TextStreamer delta every 2 tokens (a real model: roughly one per 1.3 tokens).
Shapes, dtypes, operators and every other weight are unchanged, so the compute
per token is the same as bench-decoder's.

Usage: /usr/bin/python3 scripts/bench/words_model.py  (~20 s, writes ~650 MB)
"""
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / ".bench" / "models" / "bench-decoder"
DST = ROOT / ".bench" / "models" / "bench-decoder-words"
SCALE = 50.0
# successor map (byte tokens): "\n" -> "a", "a" -> " ", " " -> "a"
SUCC = {ord("\n"): ord("a"), ord("a"): ord(" "), ord(" "): ord("a")}


def main() -> int:
    model_path = SRC / "onnx" / "model.onnx"
    if not model_path.exists():
        print(f"missing {model_path}: run `npm run bench:models` first", file=sys.stderr)
        return 1
    m = onnx.load(str(model_path))
    inits = {i.name: i for i in m.graph.initializer}
    gather = next(n for n in m.graph.node if n.op_type == "Gather" and n.input[1] == "input_ids")
    logits_add = next(n for n in m.graph.node if "logits" in n.output)
    matmul = next(n for n in m.graph.node if n.output[0] in logits_add.input and n.op_type == "MatMul")
    emb_name, head_name = gather.input[0], matmul.input[1]
    if emb_name == head_name:
        print("embedding and lm_head share one initializer; cannot patch", file=sys.stderr)
        return 1
    emb = numpy_helper.to_array(inits[emb_name]).copy()
    head = numpy_helper.to_array(inits[head_name])  # [hidden, vocab]
    for prev, nxt in SUCC.items():
        emb[prev] = SCALE * head[:, nxt]
    inits[emb_name].CopyFrom(numpy_helper.from_array(emb.astype(np.float32), emb_name))

    if DST.exists():
        shutil.rmtree(DST)
    (DST / "onnx").mkdir(parents=True)
    for f in SRC.iterdir():
        if f.is_file():
            shutil.copy2(f, DST / f.name)
    cfg = json.loads((DST / "config.json").read_text())
    cfg["_fixture"] = ("bench-decoder-words: bench-decoder (random weights, SmolLM2-135M shape) with 3 input-embedding "
                       "rows set so greedy output is 'a a a …' (see scripts/bench/words_model.py)")
    (DST / "config.json").write_text(json.dumps(cfg, indent=2))
    onnx.save(m, str(DST / "onnx" / "model.onnx"))
    # dtype q8 names model_quantized.onnx; as in bench-decoder it is the same fp32 file.
    shutil.copy2(DST / "onnx" / "model.onnx", DST / "onnx" / "model_quantized.onnx")
    print(f"wrote {DST.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
