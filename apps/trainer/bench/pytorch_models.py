"""The engine bench's reference: training and inference speed of the same models in PyTorch.

engine.bench.ts runs this when python3 has torch, in the same run as its own measurements: one
thread (one core, as one KDLens worker process uses), batch and image size from the arguments,
SGD with momentum as the bench's trainUnit calls use, random data (content does not change speed).
Prints one JSON line per model: {"model", "trainImagesPerSec", "trainImagesPerCpuSec",
"inferImagesPerSec", "torch"} (per CPU-second: this process's time.process_time()).

With --serve it trains on request instead, so the bench can alternate short turns of ours and
PyTorch's and compare turns next to each other in time: each stdin line "<model> <seconds>" trains
that model (built once, kept across turns) for about that long and prints {"model",
"trainImagesPerSec", "trainImagesPerCpuSec"}; end of input ends it.

Usage: python3 pytorch_models.py <batch> <image size> <seconds per measurement> <model>...
       python3 pytorch_models.py --serve <batch> <image size>
"""

import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def reference_cnn(classes=10):
    def block(i, o):
        return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU()]

    return nn.Sequential(
        *block(3, 16), *block(16, 16), nn.MaxPool2d(2), *block(16, 32), *block(32, 32),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, classes),
    )


def lenet5(side, classes=10):
    after = ((side - 4) // 2 - 4) // 2
    return nn.Sequential(
        nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * after * after, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, classes),
    )


def rate(step, images, seconds):
    """Images/s of `step` (images per call), timed for about `seconds` after two warm calls:
    per wall-clock second and per second of this process's CPU time."""
    step()
    step()
    calls = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    while calls < 3 or time.perf_counter() - started < seconds:
        step()
        calls += 1
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    return calls * images / wall, calls * images / cpu


def build(name, side):
    model = reference_cnn() if name == "reference-cnn" else lenet5(side) if name == "lenet5" else None
    if model is None:
        return None
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return model, opt


def train_step_of(model, opt, x, y):
    def train_step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    return train_step


def serve(batch, side):
    torch.set_num_threads(1)
    torch.manual_seed(0)
    x = torch.rand(batch, 3, side, side)
    y = torch.randint(0, 10, (batch,))
    built = {}
    for line in sys.stdin:
        name, seconds = line.split()
        if name not in built:
            built[name] = build(name, side)
        if built[name] is None:
            print(json.dumps({"model": name, "error": "unknown model"}), flush=True)
            continue
        model, opt = built[name]
        model.train()
        train, train_cpu = rate(train_step_of(model, opt, x, y), batch, float(seconds))
        print(json.dumps({"model": name, "trainImagesPerSec": train, "trainImagesPerCpuSec": train_cpu}),
              flush=True)


def main():
    if sys.argv[1] == "--serve":
        serve(int(sys.argv[2]), int(sys.argv[3]))
        return
    batch, side, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    torch.set_num_threads(1)
    torch.manual_seed(0)
    x = torch.rand(batch, 3, side, side)
    y = torch.randint(0, 10, (batch,))
    for name in sys.argv[4:]:
        built = build(name, side)
        if built is None:
            continue
        model, opt = built
        model.train()
        train, train_cpu = rate(train_step_of(model, opt, x, y), batch, seconds)
        model.eval()
        with torch.no_grad():
            infer, _ = rate(lambda: model(x), batch, seconds / 4)
        print(json.dumps({"model": name, "trainImagesPerSec": train, "trainImagesPerCpuSec": train_cpu,
                          "inferImagesPerSec": infer,
                          "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
