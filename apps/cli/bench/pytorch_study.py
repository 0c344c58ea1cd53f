"""The study bench's reference: the same study recipe written plainly in PyTorch.

study.bench.ts writes the study's data (exactly the splits KDLens trains on) and its recipe into
a folder; this trains it in one process with torch's threads on every core, as a PyTorch user
would: per seed a teacher, a plain student (NDS) and one distilled student per temperature, each
scored on the evaluation split after every epoch and on the test split at the end. Distilled
students run the teacher on every batch under no_grad, the usual way. The models are initialised,
optimised and scheduled as the trainer does it (so that both train the same recipe); the random
numbers and the shuffling are torch's. Prints one JSON object.

Usage: python3 pytorch_study.py <folder>   (needs torch; numpy is not needed)
"""

import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def read(folder, name, dtype, shape):
    with open(f"{folder}/{name}", "rb") as f:
        data = bytearray(f.read())
    return torch.frombuffer(data, dtype=dtype).reshape(shape)


def reference_cnn(channels, classes, width=16):
    def block(i, o):
        return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU()]

    w = width
    return nn.Sequential(
        *block(channels, w), *block(w, w), nn.MaxPool2d(2),
        *block(w, 2 * w), *block(2 * w, 2 * w),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2 * w, classes),
    )


def lenet5(channels, classes, side):
    after = ((side - 4) // 2 - 4) // 2
    return nn.Sequential(
        nn.Conv2d(channels, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(16 * after * after, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, classes),
    )


def he_normal(weight):
    """tfjs's heNormal / varianceScaling(2, fanIn, 'normal'): a normal of sd sqrt(2 / fan_in)
    truncated at two sds, not rescaled."""
    sd = math.sqrt(2 / weight[0].numel())
    nn.init.trunc_normal_(weight, std=sd, a=-2 * sd, b=2 * sd)


def init_like_trainer(model):
    """The trainer's initialisation (apps/trainer/src/engine/models/reference-cnn.ts, conv-bn.ts,
    lenet5.ts): He normal for the convolutions and hidden dense layers, Glorot uniform for the
    logits layer, zero biases; batch norms start at 1 and 0 in both. Not torch's default
    (kaiming_uniform with a = sqrt(5), smaller weights): with it the demo's SGD students trained to
    a different accuracy, so the two would not be the same recipe."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    with torch.no_grad():
        for m in model.modules():
            if not isinstance(m, (nn.Conv2d, nn.Linear)):
                continue
            if m is not linears[-1]:
                he_normal(m.weight)
            else:
                limit = math.sqrt(6 / (m.weight[0].numel() + m.weight.shape[0]))
                nn.init.uniform_(m.weight, -limit, limit)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return model


def build(arm, channels, classes, side):
    if arm["architecture"] == "reference-cnn":
        model = reference_cnn(channels, classes, arm.get("width", 16))
    elif arm["architecture"] == "lenet5":
        model = lenet5(channels, classes, side)
    else:
        raise SystemExit(
            f"pytorch_study.py: no PyTorch version of architecture {arm['architecture']!r}")
    return init_like_trainer(model)


def accuracy(model, x, y, batch=256):
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(y), batch):
            correct += (model(x[start:start + batch]).argmax(1) == y[start:start + batch]).sum().item()
    return correct / len(y)


def lr_at(arm, step, total_steps):
    """The arm's rate at 0-based optimizer step `step` of `total_steps`, as the trainer computes it
    (schedules.ts): constant, or cosine annealed on every step from learningRate to minLr, which
    the last step reaches exactly."""
    base = arm["learningRate"]
    schedule = arm.get("schedule") or {"name": "constant"}
    if schedule["name"] == "constant":
        return base
    if schedule["name"] == "cosine":
        low = schedule.get("minLr", 0)
        span = total_steps - 1
        progress = 0 if span <= 0 else min(1, step / span)
        return low + (base - low) * (1 + math.cos(math.pi * progress)) / 2
    raise SystemExit(f"pytorch_study.py: schedule {schedule['name']!r} is not implemented here")


def optimizer(arm, model):
    """Adam or SGD as the trainer takes them (optimizers.ts). Adam: bias-corrected moments over
    sqrt(v) + epsilon, as torch computes them, with the trainer's default epsilon 1e-7 (torch's is
    1e-8). SGD: heavy-ball momentum (0.9 unless the spec says), no dampening, and weight decay in
    the gradient on weights of rank >= 2 only (biases and batch norms' scales and offsets are not
    decayed)."""
    config = arm["optimizer"]
    if config["name"] == "adam":
        return torch.optim.Adam(model.parameters(), lr=arm["learningRate"],
                                betas=(config.get("beta1", 0.9), config.get("beta2", 0.999)),
                                eps=config.get("epsilon", 1e-7))
    if config["name"] == "sgd":
        decay = config.get("weightDecay", 0)
        params = list(model.parameters())
        groups = [
            {"params": [p for p in params if p.dim() >= 2], "weight_decay": decay},
            {"params": [p for p in params if p.dim() < 2], "weight_decay": 0},
        ]
        momentum = config.get("momentum", 0.9)
        # Nesterov without momentum is plain SGD (torch refuses the combination).
        nesterov = config.get("nesterov", False) and momentum > 0
        return torch.optim.SGD(groups, lr=arm["learningRate"], momentum=momentum, nesterov=nesterov)
    raise SystemExit(f"pytorch_study.py: optimizer {config['name']!r} is not implemented here")


def train(arm, seed, data, teacher=None, temperature=None, alpha=None):
    torch.manual_seed(seed)
    x, y, ev_x, ev_y = data["train_x"], data["train_y"], data["eval_x"], data["eval_y"]
    model = build(arm, data["channels"], data["classes"], data["side"])
    opt = optimizer(arm, model)
    train_seconds = 0.0
    eval_seconds = 0.0
    n = len(y)
    steps_per_epoch = math.ceil(n / arm["batchSize"])
    total_steps = steps_per_epoch * arm["epochs"]
    for epoch in range(arm["epochs"]):
        started = time.perf_counter()
        model.train()
        order = torch.randperm(n, generator=torch.Generator().manual_seed(seed * 1000 + epoch))
        for start in range(0, n, arm["batchSize"]):
            rate = lr_at(arm, epoch * steps_per_epoch + start // arm["batchSize"], total_steps)
            for group in opt.param_groups:
                group["lr"] = rate
            idx = order[start:start + arm["batchSize"]]
            xb, yb = x[idx], y[idx]
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            if teacher is not None:
                with torch.no_grad():
                    soft = F.log_softmax(teacher(xb) / temperature, dim=1)
                kl = F.kl_div(F.log_softmax(logits / temperature, dim=1), soft, log_target=True,
                              reduction="batchmean")
                loss = alpha * temperature * temperature * kl + (1 - alpha) * loss
            opt.zero_grad()
            loss.backward()
            opt.step()
        train_seconds += time.perf_counter() - started
        started = time.perf_counter()
        accuracy(model, ev_x, ev_y)
        eval_seconds += time.perf_counter() - started
    started = time.perf_counter()
    test_accuracy = accuracy(model, data["test_x"], data["test_y"])
    eval_seconds += time.perf_counter() - started
    model.eval()
    return model, {
        "trainSeconds": train_seconds,
        "evalSeconds": eval_seconds,
        "images": n * arm["epochs"],
        "accuracy": test_accuracy,
    }


def main():
    folder = sys.argv[1]
    with open(f"{folder}/recipe.json") as f:
        recipe = json.load(f)
    threads = recipe["threads"]
    torch.set_num_threads(threads)
    side, _, channels = recipe["shape"]

    def images(name, count):
        # NHWC as KDLens stores them → NCHW for PyTorch, contiguous once.
        return read(folder, name, torch.float32, (count, side, side, channels)).permute(0, 3, 1, 2).contiguous()

    data = {
        "train_x": images("train_x.f32", recipe["train"]),
        "train_y": read(folder, "train_y.i32", torch.int32, (recipe["train"],)).long(),
        "test_x": images("test_x.f32", recipe["test"]),
        "test_y": read(folder, "test_y.i32", torch.int32, (recipe["test"],)).long(),
        "classes": recipe["classes"],
        "channels": channels,
        "side": side,
    }
    if recipe.get("val"):
        data["eval_x"] = images("val_x.f32", recipe["val"])
        data["eval_y"] = read(folder, "val_y.i32", torch.int32, (recipe["val"],)).long()
    else:
        data["eval_x"], data["eval_y"] = data["test_x"], data["test_y"]

    units = []
    started = time.perf_counter()
    for seed in recipe["seeds"]:
        teacher, stats = train(recipe["teacher"], seed, data)
        units.append({"role": "teacher", "seed": seed, **stats})
        _, stats = train(recipe["student"], seed, data)
        units.append({"role": "student", "seed": seed, **stats})
        for t in recipe["temperatures"]:
            _, stats = train(recipe["student"], seed, data, teacher, t, recipe["alpha"])
            units.append({"role": "distilled", "seed": seed, "temperature": t, **stats})
    wall = time.perf_counter() - started
    print(json.dumps({
        "torch": torch.__version__,
        "threads": threads,
        "wallSeconds": wall,
        "units": units,
    }))


if __name__ == "__main__":
    main()
