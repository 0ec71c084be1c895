#!/usr/bin/env python3
"""Export pretrained timm image classifiers to ONNX folders that `hourglass models add` accepts.

Run this where Python, PyTorch and timm are installed and the Hugging Face hub is reachable (it is
not run in CI: the machines there have no PyPI). For each model it writes one folder:

    <out>/<name>/model.onnx         the graph: input `input` [batch, 3, H, W] (float32, NCHW, batch a
                                    symbolic dim named 'batch'), output `logits` [batch, classes]
    <out>/<name>/model.onnx.data    the weights, when stored as external data (--external-data,
                                    and always for models over 2 GB, which protobuf cannot hold)
    <out>/<name>/model.json         metadata in the shape of hourglass's model.json, without a
                                    version: name, description, input {name, layout, width, height,
                                    mean, std, resize}, output {name, kind}, labels, source

That folder shape is exactly what the loader's tests use: their fixtures are written by
packages/core/src/models/generated/timm-like.ts (writeTimmLikeExport), a generator of small
timm-shaped ConvNet and ViT graphs with the same input/output names, opset family, dynamic batch
axis, external-data layout and model.json fields. Then, on the hourglass machine:

    npm run hourglass -- models add exports/levit_128s            # name taken from model.json
    npm run hourglass -- models add exports/beit_base_patch16_224 --name beit-base
    # or through the API:
    curl -H "Authorization: Bearer $KEY" -F model=@exports/levit_128s/model.onnx \\
         -F name=levit-128s -F labels="$(jq -c .labels exports/levit_128s/model.json)" \\
         http://localhost:3000/v1/models

Usage:

    python3 infra/export_timm.py [MODEL ...] [--out exports] [--opset 17] [--external-data]
                                 [--static-batch] [--random-weights] [--verify]

    MODEL defaults to levit_128s levit_256 beit_base_patch16_224 (any timm model name works,
    with an optional pretrained tag: vit_base_patch16_224.augreg2_in21k_ft_in1k).

Preprocessing: mean, std and input size come from timm's resolved data config (pretrained_cfg).
timm evaluates by resizing the shorter side to size / crop_pct and centre-cropping; hourglass's
`cover` resize (scale to fill the input, centre crop) is that with crop_pct = 1, so model.json says
`resize: cover` and records the original crop_pct and interpolation under source.timm. Expect a
small accuracy difference against timm's own numbers (crop and resampling kernel differ).

Labels: ImageNet class descriptions from timm's bundled ImageNetInfo (timm >= 0.9.8) when the
classifier has 1k/12k/21k/22k classes; otherwise class_0 .. class_{N-1}.

Requirements: torch, timm, onnx (and onnxruntime for --verify). Tested against the APIs of
torch 2.x (TorchScript exporter, opset 17) and timm 1.x.
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
import sys
import tempfile
from pathlib import Path

DEFAULT_MODELS = ["levit_128s", "levit_256", "beit_base_patch16_224"]
TWO_GB = 2 * 1024**3
DATA_FILE = "model.onnx.data"


def registry_name(model_name: str) -> str:
    """A name hourglass accepts: lower-case letters, digits, '.', '_' and '-', at most 64 characters."""
    name = re.sub(r"[^a-z0-9._-]+", "-", model_name.lower()).strip("-._")
    return name[:64] or "model"


def imagenet_labels(model, num_classes: int) -> tuple[list[str], str]:
    """ImageNet class descriptions when timm knows the label set, else class_i."""
    try:
        from timm.data import ImageNetInfo, infer_imagenet_subset  # timm >= 0.9.8

        subset = infer_imagenet_subset(model)
        if subset:
            labels = list(ImageNetInfo(subset).label_descriptions())
            if len(labels) == num_classes:
                return labels, f"timm ImageNetInfo({subset})"
    except ImportError:
        pass
    return [f"class_{i}" for i in range(num_classes)], "generated"


def onnx_export(torch, model, dummy, path: Path, opset: int, dynamic: bool) -> None:
    kwargs = dict(
        input_names=["input"],
        output_names=["logits"],
        opset_version=opset,
        do_constant_folding=True,
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}} if dynamic else None,
    )
    # torch >= 2.5 has a dynamo exporter too; the TorchScript one gives the graphs the loader was built for.
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    with torch.no_grad():
        torch.onnx.export(model, (dummy,), str(path), **kwargs)


def save_onnx(onnx, tmp_model: Path, out_dir: Path, external: bool) -> bool:
    """Loads the raw export (with whatever external files torch wrote) and saves it as the folder layout.

    Returns whether the weights went to external data.
    """
    proto = onnx.load(str(tmp_model), load_external_data=True)
    size = sum(len(t.raw_data) for t in proto.graph.initializer)
    external = external or size > TWO_GB - 64 * 1024**2
    target = out_dir / "model.onnx"
    for stale in (target, out_dir / DATA_FILE):
        if stale.exists():
            stale.unlink()
    if external:
        onnx.save_model(
            proto,
            str(target),
            save_as_external_data=True,
            all_tensors_to_one_file=True,
            location=DATA_FILE,  # relative to model.onnx: the loader refuses anything outside the folder
            size_threshold=1024,
            convert_attribute=False,
        )
    else:
        onnx.save_model(proto, str(target))
    # Path-based check: works for > 2 GB models with external data too.
    onnx.checker.check_model(str(target))
    return external


def verify(torch, model, out_dir: Path, input_size) -> float:
    import numpy as np
    import onnxruntime as ort

    x = torch.randn(2, *input_size)
    with torch.no_grad():
        expected = model(x).numpy()
    session = ort.InferenceSession(str(out_dir / "model.onnx"), providers=["CPUExecutionProvider"])
    (actual,) = session.run(["logits"], {"input": x.numpy()})
    return float(np.abs(actual - expected).max())


def export_one(args, spec: str) -> Path:
    import onnx
    import timm
    import timm.data
    import torch

    model = timm.create_model(spec, pretrained=not args.random_weights, exportable=True)
    model.eval()
    config = timm.data.resolve_data_config({}, model=model)
    channels, height, width = config["input_size"]
    if channels != 3:
        raise SystemExit(f"{spec}: input has {channels} channels; hourglass feeds RGB images")
    num_classes = int(getattr(model, "num_classes", 0) or 0)
    if num_classes < 1:
        raise SystemExit(f"{spec}: no classifier head (num_classes={num_classes}); export a classification model")

    name = args.name or registry_name(spec.split(".")[0])
    out_dir = Path(args.out) / name
    out_dir.mkdir(parents=True, exist_ok=True)
    batch = 1 if args.static_batch else 2
    dummy = torch.randn(batch, channels, height, width)

    with tempfile.TemporaryDirectory(prefix="export_timm_") as tmp:
        tmp_model = Path(tmp) / "model.onnx"
        onnx_export(torch, model, dummy, tmp_model, args.opset, dynamic=not args.static_batch)
        external = save_onnx(onnx, tmp_model, out_dir, args.external_data)

    labels, labels_from = imagenet_labels(model, num_classes)
    cfg = dict(getattr(model, "pretrained_cfg", {}) or {})
    hub = cfg.get("hf_hub_id")
    tag = cfg.get("tag")
    metadata = {
        "name": name,
        "description": f"timm {spec}{'' if args.random_weights else ' (pretrained)'}, {width}x{height}, {num_classes} classes, exported to ONNX opset {args.opset}",
        "input": {
            "name": "input",
            "layout": "NCHW",
            "width": int(width),
            "height": int(height),
            "mean": [float(v) for v in config["mean"]],
            "std": [float(v) for v in config["std"]],
            # timm: resize shorter side to size / crop_pct, centre crop. hourglass 'cover' = crop_pct 1.
            "resize": "cover",
        },
        "output": {"name": "logits", "kind": "logits"},
        "labels": labels,
        "source": {
            "kind": "imported",
            "description": "exported with infra/export_timm.py (torch.onnx.export)",
            "licence": cfg.get("license") or "see the model card",
            **({"url": f"https://huggingface.co/{hub}"} if hub else {}),
            "timm": {
                "model": spec,
                "version": timm.__version__,
                "pretrained": not args.random_weights,
                "pretrained_tag": tag,
                "input_size": [int(channels), int(height), int(width)],
                "crop_pct": config.get("crop_pct"),
                "crop_mode": config.get("crop_mode"),
                "interpolation": config.get("interpolation"),
                "num_classes": num_classes,
                "labels": labels_from,
            },
            "torch": torch.__version__,
            "opset": args.opset,
            "externalData": external,
        },
    }
    (out_dir / "model.json").write_text(json.dumps(metadata, indent=2) + "\n")

    size = (out_dir / "model.onnx").stat().st_size + ((out_dir / DATA_FILE).stat().st_size if external else 0)
    print(f"{spec}: {out_dir} ({size / 1e6:.1f} MB{', external data' if external else ''}, {num_classes} classes, {width}x{height})")
    if args.verify:
        print(f"  onnxruntime vs torch, max |logit diff| on 2 random images: {verify(torch, model, out_dir, (channels, height, width)):.2e}")
    print(f"  register: npm run hourglass -- models add {out_dir}")
    return out_dir


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="*", default=DEFAULT_MODELS, help="timm model names (default: %(default)s)")
    parser.add_argument("--out", default="exports", help="output folder; one sub-folder per model (default: %(default)s)")
    parser.add_argument("--name", help="registry name (only with one model; default: the timm name)")
    parser.add_argument("--opset", type=int, default=17, help="ONNX opset (default: %(default)s; hourglass runs 17 and 18)")
    parser.add_argument("--external-data", action="store_true", help=f"store weights in {DATA_FILE} (automatic over 2 GB)")
    parser.add_argument("--static-batch", action="store_true", help="fix the batch axis at 1 (hourglass then runs one image per inference)")
    parser.add_argument("--random-weights", action="store_true", help="skip the pretrained download (offline smoke test)")
    parser.add_argument("--verify", action="store_true", help="compare onnxruntime's output with torch's (needs onnxruntime)")
    args = parser.parse_args(argv)
    if args.name and len(args.models) != 1:
        parser.error("--name needs exactly one model")
    if args.name and registry_name(args.name) != args.name:
        parser.error(f"--name {args.name!r}: use lower-case letters, digits, '.', '_' and '-'")
    for spec in args.models:
        export_one(args, spec)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
