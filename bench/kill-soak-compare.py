#!/usr/bin/env python3
"""Compares an interrupted run with an uninterrupted one (used by kill-soak.sh; no torch needed).

Usage: kill-soak-compare.py REF_RUN SOAK_RUN
Prints three words: weights (yes/no: every tensor of the final checkpoints byte-identical), metrics (ok/BAD: same
metrics.jsonl steps, none duplicated, same loss values), eval (ok/BAD: same eval_curve.jsonl steps, none duplicated,
same values apart from timings). Details of a difference go to stderr.
"""
import glob, json, os, struct, sys

def tensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    return {k: data[v["data_offsets"][0]:v["data_offsets"][1]] for k, v in header.items()}

def latest(run):
    files = sorted(glob.glob(os.path.join(run, "checkpoints", "step-*.safetensors")))
    return files[-1] if files else None

def rows(path):
    if not os.path.exists(path): return []
    out = []
    for line in open(path):
        line = line.strip()
        if line:
            out.append(json.loads(line))
    return out

def same_rows(a, b, ignore, what):
    sa, sb = [r.get("step") for r in a], [r.get("step") for r in b]
    if len(set(sb)) != len(sb):
        print(f"{what}: duplicate steps {sorted(s for s in set(sb) if sb.count(s) > 1)}", file=sys.stderr); return False
    if sa != sb:
        print(f"{what}: steps differ: missing {sorted(set(sa) - set(sb))}, extra {sorted(set(sb) - set(sa))}", file=sys.stderr); return False
    for ra, rb in zip(a, b):
        da = {k: v for k, v in ra.items() if k not in ignore}
        db = {k: v for k, v in rb.items() if k not in ignore}
        if da != db:
            print(f"{what}: step {ra['step']} differs: {da} vs {db}", file=sys.stderr); return False
    return True

ref, soak = sys.argv[1], sys.argv[2]
a, b = latest(ref), latest(soak)
weights = a is not None and b is not None and os.path.basename(a) == os.path.basename(b)
if weights:
    ta, tb = tensors(a), tensors(b)
    weights = ta.keys() == tb.keys() and all(ta[k] == tb[k] for k in ta)
    if not weights:
        print(f"weights: differ in {[k for k in ta if tb.get(k) != ta[k]][:5]}", file=sys.stderr)
else:
    print(f"weights: final checkpoints {a} vs {b}", file=sys.stderr)
timing = {"wall_time_s", "samples_per_s", "sampling_s"}
metrics = same_rows(rows(os.path.join(ref, "metrics.jsonl")), rows(os.path.join(soak, "metrics.jsonl")), timing, "metrics")
evals = same_rows(rows(os.path.join(ref, "eval_curve.jsonl")), rows(os.path.join(soak, "eval_curve.jsonl")), timing, "eval_curve")
print("yes" if weights else "no", "ok" if metrics else "BAD", "ok" if evals else "BAD")
