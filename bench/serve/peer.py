"""The serving peer: a Lathe bundle (.lathe) served by FastAPI + uvicorn + PyTorch, answering as `lathe serve` does.

The bundle is read as it is (manifest.json, pipeline.json, model.json, weights.safetensors); the network is rebuilt
in PyTorch with Lathe's layer names and loaded with its weights, and the fitted preprocessing steps the bench's
bundles use (drop columns, impute, scale, one-hot, select features, image normalise) are applied in numpy. A step
or model this file does not implement is refused by name at load time, never skipped.

    python3 bench/serve/peer.py MODEL.lathe --port 8001 [--workers 1] [--threads 1] [--http httptools] [--loop uvloop]
    python3 bench/serve/peer.py MODEL.lathe --predict RECORDS.json   # probabilities as CSV, for the check against `lathe predict`

GET /readyz answers 200 once the model is loaded and has run one prediction. POST /v1/predict takes one record
(a JSON object of raw column values) or an array of them.
"""
import argparse
import base64
import hashlib
import io
import json
import math
import os
import socket
import struct
import sys
import zipfile
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

SAFETENSORS_DTYPES = {"F32": "<f4", "F64": "<f8", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?"}


class BundleError(Exception):
    """A bundle this peer cannot serve, with the entry and the reason."""


class RecordError(Exception):
    """A request record that does not fit the model's input, with the field and the reason."""


def read_safetensors(data, where):
    """name -> numpy array, from the bytes of a safetensors file (8-byte little-endian header length, JSON header,
    raw little-endian tensors)."""
    if len(data) < 8:
        raise BundleError(f"{where}: {len(data)} bytes, too short for a safetensors header")
    (length,) = struct.unpack("<Q", data[:8])
    if 8 + length > len(data):
        raise BundleError(f"{where}: header length {length} runs past the end of the file ({len(data)} bytes)")
    header = json.loads(data[8:8 + length])
    body = memoryview(data)[8 + length:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype = SAFETENSORS_DTYPES.get(entry["dtype"])
        if dtype is None:
            raise BundleError(f"{where}: tensor '{name}' has dtype {entry['dtype']}, which this peer does not read")
        start, end = entry["data_offsets"]
        array = np.frombuffer(body[start:end], dtype=dtype).reshape(entry["shape"])
        tensors[name] = array.copy()
    return tensors


# --- the network, rebuilt with Lathe's module names (src/Lathe/Models/Mlp.cs, Cnn.cs) ---

ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "silu": nn.SiLU, "tanh": nn.Tanh, "leaky_relu": lambda: nn.LeakyReLU(0.01)}


def activation(name):
    if name not in ACTIVATIONS:
        raise BundleError(f"model.json: activation '{name}' is not implemented by the peer")
    return ACTIVATIONS[name]()


class Mlp(nn.Module):
    """Lathe's Mlp: per hidden layer linear{i}, norm{i}, relu{i} (any activation), dropout{i}; then head."""

    def __init__(self, spec):
        super().__init__()
        if spec.get("residual"):
            raise BundleError("model.json: residual MLP blocks are not implemented by the peer")
        modules = []
        width = spec["input_shape"][0]
        for i, hidden in enumerate(spec["layers"]):
            modules.append((f"linear{i}", nn.Linear(width, hidden)))
            if spec["norm"] == "batch":
                modules.append((f"norm{i}", nn.BatchNorm1d(hidden)))
            elif spec["norm"] == "layer":
                modules.append((f"norm{i}", nn.LayerNorm(hidden)))
            elif spec["norm"] != "none":
                raise BundleError(f"model.json: norm '{spec['norm']}' is not implemented by the peer")
            modules.append((f"relu{i}", activation(spec["activation"])))
            if spec["dropout"] > 0:
                modules.append((f"dropout{i}", nn.Dropout(spec["dropout"])))
            width = hidden
        modules.append(("head", nn.Linear(width, spec["outputs"])))
        self.layers = nn.Sequential(OrderedDict(modules))

    def forward(self, x):
        return self.layers(x)


def cnn_side(side, blocks, kernel, stride, padding, pooling):
    for _ in range(blocks):
        side = 0 if side + 2 * padding < kernel else (side + 2 * padding - kernel) // stride + 1
        if pooling != "none":
            side //= 2
    return side


class Cnn(nn.Module):
    """Lathe's Cnn: per block conv{i}, norm{i}, relu{i}, pool{i}; then flatten, dense, relu, dropout, head."""

    def __init__(self, spec):
        super().__init__()
        channels, height, width = spec["input_shape"]
        kernel, stride, padding, pooling, batch_norm = spec["kernel"], spec["stride"], spec["padding"], spec["pooling"], spec["batch_norm"]
        blocks = []
        in_channels = channels
        for i, out in enumerate(spec["channels"]):
            blocks.append((f"conv{i}", nn.Conv2d(in_channels, out, kernel_size=kernel, stride=stride, padding=padding, bias=not batch_norm)))
            if batch_norm:
                blocks.append((f"norm{i}", nn.BatchNorm2d(out)))
            blocks.append((f"relu{i}", nn.ReLU()))
            if pooling == "max":
                blocks.append((f"pool{i}", nn.MaxPool2d(kernel_size=2)))
            elif pooling == "avg":
                blocks.append((f"pool{i}", nn.AvgPool2d(kernel_size=2)))
            elif pooling != "none":
                raise BundleError(f"model.json: pooling '{pooling}' is not implemented by the peer")
            in_channels = out
        self.features = nn.Sequential(OrderedDict(blocks))
        h = cnn_side(height, len(spec["channels"]), kernel, stride, padding, pooling)
        w = cnn_side(width, len(spec["channels"]), kernel, stride, padding, pooling)
        head = [("flatten", nn.Flatten()), ("dense", nn.Linear(in_channels * h * w, spec["dense"])), ("relu", nn.ReLU())]
        if spec["dropout"] > 0:
            head.append(("dropout", nn.Dropout(spec["dropout"])))
        head.append(("head", nn.Linear(spec["dense"], spec["outputs"])))
        self.classifier = nn.Sequential(OrderedDict(head))

    def forward(self, x):
        return self.classifier(self.features(x))


def build_network(spec, weights):
    kinds = {"mlp": Mlp, "cnn": Cnn}
    if spec["kind"] not in kinds:
        raise BundleError(f"model.json: model kind '{spec['kind']}' is not implemented by the peer (it serves mlp and cnn)")
    network = kinds[spec["kind"]](spec)
    state = {name: torch.from_numpy(value) for name, value in weights.items()}
    expected = network.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise BundleError(f"weights.safetensors: tensors missing {missing[:5]}, unexpected {unexpected[:5]} for the rebuilt {spec['kind']}")
    for name, value in state.items():
        if tuple(value.shape) != tuple(expected[name].shape):
            raise BundleError(f"weights.safetensors: '{name}' has shape {tuple(value.shape)}, the rebuilt {spec['kind']} expects {tuple(expected[name].shape)}")
    network.load_state_dict({name: value.to(expected[name].dtype) for name, value in state.items()})
    return network.eval()


# --- the fitted steps (src/Lathe/Data/Pipeline/IFittedStep.cs), over columns as numpy arrays ---
# A table is an ordered dict: name -> ("numeric", float64 array) | ("string", object array, None = missing)
# | ("one_hot", int codes with -1 for none, categories) | ("image", uint8 array N x C x H x W, scale, shift).

def step_drop_columns(step, table):
    for name in step["columns"]:
        table.pop(name, None)
    return table


def step_impute(step, table):
    result = OrderedDict()
    fills = {c["name"]: c for c in step["columns"]}
    for name, column in table.items():
        fill = fills.get(name)
        if fill is None:
            result[name] = column
        elif column[0] == "numeric" and fill["number"] is not None:
            values = column[1]
            missing = np.isnan(values)
            result[name] = ("numeric", np.where(missing, fill["number"], values))
            if fill["indicator"]:
                result[f"{name}.missing"] = ("numeric", missing.astype(np.float64))
        elif column[0] == "string" and fill["category"] is not None:
            values = column[1].copy()
            values[values == None] = fill["category"]  # noqa: E711 (element-wise comparison with None)
            result[name] = ("string", values)
        else:
            result[name] = column
    return result


def step_scale(step, table):
    if step["method"] == "none":
        return table
    for c in step["columns"]:
        kind, values = table[c["name"]][:2]
        if kind == "numeric":
            table[c["name"]] = ("numeric", (values - c["center"]) / c["spread"])
    return table


def step_one_hot(step, table):
    for c in step["columns"]:
        column = table[c["name"]]
        if column[0] != "string":
            continue
        index = {category: k for k, category in enumerate(c["categories"])}
        codes = np.fromiter((index.get(v, -1) if v is not None else -1 for v in column[1]), dtype=np.int64, count=len(column[1]))
        table[c["name"]] = ("one_hot", codes, list(c["categories"]))
    return table


def step_select_features(step, table):
    drop = {d["name"] for d in step["dropped"]}
    result = OrderedDict()
    for name, column in table.items():
        if column[0] == "numeric" and name in drop:
            continue
        if column[0] == "one_hot":
            kept = [c for c in column[2] if f"{name}={c}" not in drop]
            if len(kept) != len(column[2]):
                old = column[2]
                remap = np.array([kept.index(c) if c in kept else -1 for c in old] + [-1], dtype=np.int64)
                column = ("one_hot", remap[column[1]], kept)
        result[name] = column
    return result


def step_image_normalize(step, table):
    for c in step["columns"]:
        column = table[c["name"]]
        scale = np.float32(1 / (255 * c["std"]))
        shift = np.float32(-c["mean"] / c["std"])
        table[c["name"]] = ("image", column[1], scale, shift)
    return table


STEPS = {"drop_columns": step_drop_columns, "impute": step_impute, "scale": step_scale, "one_hot": step_one_hot,
         "select_features": step_select_features, "image_normalize": step_image_normalize}


class Model:
    """A loaded bundle: raw records in, Lathe's answers out."""

    def __init__(self, path):
        try:
            with zipfile.ZipFile(path) as bundle:
                entries = {name: bundle.read(name) for name in ("manifest.json", "pipeline.json", "model.json", "weights.safetensors")}
        except KeyError as missing:
            raise BundleError(f"{path}: no entry {missing} in the bundle") from None
        except zipfile.BadZipFile as error:
            raise BundleError(f"{path}: not a Lathe bundle (a zip file): {error}") from None
        self.manifest = json.loads(entries["manifest.json"])
        if self.manifest["task"] != "classification":
            raise BundleError(f"{path}: manifest.json: task '{self.manifest['task']}'; the peer serves classification only")
        prepared = json.loads(entries["pipeline.json"])
        self.pipeline = prepared["pipeline"]
        self.classes = prepared["target"]["classes"]
        # A calibrated bundle (format 6) divides every logit by the target's temperature before the softmax.
        self.temperature = prepared["target"].get("temperature")
        for step in self.pipeline["steps"]:
            if step["kind"] not in STEPS:
                raise BundleError(f"{path}: pipeline.json: fitted step '{step['kind']}' is not implemented by the peer")
        self.features = [c for c in self.pipeline["schema"]["features"]]
        self.spec = json.loads(entries["model.json"])
        self.network = build_network(self.spec, read_safetensors(entries["weights.safetensors"], f"{path}: weights.safetensors"))
        # The bundle's own hash names the version, as `lathe serve` names the model it loaded.
        self.version = hashlib.sha256(open(path, "rb").read()).hexdigest()[:12]

    def table(self, records):
        """Raw records (dicts of column -> JSON value) -> the schema's feature columns."""
        table = OrderedDict()
        for column in self.features:
            name, kind = column["name"], column["type"]
            values = [record.get(name) for record in records]
            if kind == "numeric":
                table[name] = ("numeric", np.array([number(v, name) for v in values], dtype=np.float64))
            elif kind == "categorical":
                table[name] = ("string", np.array([None if v is None else v if isinstance(v, str) else json.dumps(v) for v in values], dtype=object))
            elif kind == "image":
                # Raw images are the model's input shape: the peer refuses the steps that crop or resize them.
                shape = column["image_shape"] or self.spec["input_shape"]
                table[name] = ("image", np.stack([image(v, name, shape) for v in values]), np.float32(1), np.float32(0))
            else:
                raise BundleError(f"pipeline.json: column '{name}' has type '{kind}', which the peer does not read")
        return table

    def inputs(self, records):
        """Raw records -> the network's input tensor, exactly as Lathe packs it."""
        table = self.table(records)
        for step in self.pipeline["steps"]:
            table = STEPS[step["kind"]](step, table)
        if self.pipeline["image"] is not None:
            _, pixels, scale, shift = table[self.pipeline["image"]]
            return torch.from_numpy(pixels.astype(np.float32) * scale + shift)
        names, blocks = [], []
        for name, column in table.items():
            if column[0] == "numeric":
                names.append(name)
                blocks.append(column[1].astype(np.float32)[:, None])
            elif column[0] == "one_hot":
                codes, categories = column[1], column[2]
                names.extend(f"{name}={c}" for c in categories)
                block = np.zeros((len(codes), len(categories)), dtype=np.float32)
                rows = np.nonzero(codes >= 0)[0]
                block[rows, codes[rows]] = 1
                blocks.append(block)
        if names != self.pipeline["feature_names"]:
            raise BundleError(f"pipeline.json: the fitted steps made the input columns {names[:20]}, not the model's {self.pipeline['feature_names'][:20]}")
        return torch.from_numpy(np.concatenate(blocks, axis=1))

    def probabilities(self, records):
        """Records -> float32 probabilities, one row per record: the logits over the temperature, softmax in double
        precision, as Lathe's Predictor."""
        with torch.inference_mode():
            logits = self.network(self.inputs(records)).numpy()
        if self.temperature is not None:
            # As Lathe's Predictor.Decode: each float32 logit divided by T in double precision, back to float32.
            logits = (logits.astype(np.float64) / self.temperature).astype(np.float32)
        logits = logits.astype(np.float64)
        exps = np.exp(logits - logits.max(axis=1, keepdims=True))
        return (exps / exps.sum(axis=1, keepdims=True)).astype(np.float32)

    def answers(self, records):
        result = []
        for row in self.probabilities(records).tolist():
            best = max(range(len(row)), key=row.__getitem__)
            result.append({"prediction": self.classes[best], "probabilities": dict(zip(self.classes, row))})
        return result


def number(value, field):
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise RecordError(f"field '{field}': expected a number, got {json.dumps(value)[:40]}")
    try:
        return float(value)
    except ValueError:
        raise RecordError(f"field '{field}': expected a number, got {json.dumps(value)[:40]}") from None


def image(value, field, shape):
    """A base64 string of raw C x H x W uint8 pixels, or of a PNG with the model's channel count and size."""
    if not isinstance(value, str):
        raise RecordError(f"field '{field}': expected a base64 string of an image, got {json.dumps(value)[:40]}")
    try:
        data = base64.b64decode(value, validate=True)
    except ValueError as error:
        raise RecordError(f"field '{field}': not base64 ({error})") from None
    channels, height, width = shape
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        from PIL import Image
        picture = Image.open(io.BytesIO(data))
        modes = {1: "L", 3: "RGB"}
        if picture.mode != modes.get(channels) or picture.size != (width, height):
            raise RecordError(f"field '{field}': a {picture.mode} PNG of {picture.size[0]}x{picture.size[1]}, the model takes {channels} channels of {width}x{height}")
        pixels = np.asarray(picture, dtype=np.uint8)
        return pixels[None] if channels == 1 else pixels.transpose(2, 0, 1)
    if len(data) != channels * height * width:
        raise RecordError(f"field '{field}': {len(data)} bytes, the model takes {channels}x{height}x{width} = {channels * height * width} raw pixels (or a PNG)")
    return np.frombuffer(data, dtype=np.uint8).reshape(channels, height, width)


# --- the server ---

def create_app():
    """The FastAPI app, for uvicorn's factory mode: the model from PEER_MODEL, PEER_THREADS torch threads."""
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse, Response

    torch.set_num_threads(int(os.environ.get("PEER_THREADS", "1")))
    model = Model(os.environ["PEER_MODEL"])
    app = FastAPI()
    state = {"ready": False}

    @app.on_event("startup")
    def warm():
        # Every column missing (an image all black): one batch of two and one single record through every path.
        blank = {c["name"]: base64.b64encode(bytes(int(np.prod(model.spec["input_shape"])))).decode() if c["type"] == "image" else None
                 for c in model.features}
        model.answers([blank] * 2)
        model.answers([blank])
        state["ready"] = True

    @app.get("/readyz")
    async def readyz():
        return Response(status_code=200 if state["ready"] else 503)

    # The body is read and written as bytes (json.loads / json.dumps), not through pydantic and jsonable_encoder:
    # the fastest way FastAPI takes, so the peer is not slowed by validation it does not need. `async def` runs the
    # prediction on the event loop, without the thread pool's hand-off, which is faster for a model this small.
    @app.post("/v1/predict")
    async def predict(request: Request):
        try:
            body = json.loads(await request.body())
        except ValueError as error:
            return JSONResponse({"title": "malformed JSON", "detail": str(error)}, status_code=400)
        single = isinstance(body, dict)
        records = [body] if single else body
        if not isinstance(records, list) or not records or not all(isinstance(r, dict) for r in records):
            return JSONResponse({"title": "bad request", "detail": "expected a JSON object (one record) or a non-empty array of them"}, status_code=400)
        try:
            answers = model.answers(records)
        except RecordError as error:
            return JSONResponse({"title": "bad record", "detail": str(error)}, status_code=400)
        payload = {"model_version": model.version, **answers[0]} if single else {"model_version": model.version, "predictions": answers}
        return Response(json.dumps(payload, separators=(",", ":")), media_type="application/json")

    return app


class NoDelay:
    """Turns Nagle's algorithm off on every connection. uvicorn 0.17 makes its listening socket with proto 0, so
    asyncio's transport does not set TCP_NODELAY (it checks proto == IPPROTO_TCP), and with --workers 2 each
    response waits for the client's delayed ACK (~40 ms)."""

    def connection_made(self, transport):
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


# Module-level classes, so that uvicorn's worker processes can unpickle them from its config as peer.NoDelay*.
try:
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class NoDelayH11(NoDelay, H11Protocol):
        pass

    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class NoDelayHttpTools(NoDelay, HttpToolsProtocol):
        pass
except ImportError:  # httptools (python3-httptools) is optional: --http h11 works without it.
    pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help="torch threads per worker")
    parser.add_argument("--http", choices=["httptools", "h11"], default="httptools")
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop")
    parser.add_argument("--predict", metavar="RECORDS", help="a JSON array of records: print the probabilities as CSV and exit")
    args = parser.parse_args()
    if args.predict:
        torch.set_num_threads(args.threads)
        model = Model(args.model)
        with open(args.predict) as f:
            records = json.load(f)
        print(",".join(["predicted"] + [f"p_{c}" for c in model.classes]))
        for answer in model.answers(records):
            print(",".join([answer["prediction"]] + [repr(p) for p in answer["probabilities"].values()]))
        return
    import uvicorn
    if args.loop == "uvloop":
        try:
            import uvloop  # noqa: F401
        except ImportError:
            sys.exit("--loop uvloop needs python3-uvloop (apt-get install python3-uvloop), or use --loop asyncio")
    os.environ["PEER_MODEL"] = os.path.abspath(args.model)
    os.environ["PEER_THREADS"] = str(args.threads)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import peer  # this file as the module `peer`, so that the workers find the protocol class by that name
    http = getattr(peer, "NoDelayHttpTools" if args.http == "httptools" else "NoDelayH11", None)
    if http is None:
        sys.exit("--http httptools needs python3-httptools (apt-get install python3-httptools), or use --http h11")
    uvicorn.run("peer:create_app", factory=True, host="127.0.0.1", port=args.port, workers=args.workers,
                http=http, loop=args.loop, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
