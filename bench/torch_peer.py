#!/usr/bin/env python3
"""The same NALU training step as nalu's in PyTorch, for `npm run bench`'s side-by-side ratios.

Reads one JSON object on stdin:
  {"threads": 1, "reps": 7, "repSeconds": 0.6,
   "cases": [{"shape": [128, 10, 1], "pattern": "one" | "many", "batches": 64}, ...]}
and writes one JSON object on stdout: {"torch": version, "threads": n, "results": [{..case, "rates": [steps/s
per rep], "cpuRates": [steps per CPU-second of the process per rep]}]} (or {"error": ...}). Each case is the plain Python loop a PyTorch user writes: Adam (Keras' ε = 1e-7,
as nalu's) + MSE, Trask's NALU: W = tanh(Ŵ)⊙σ(M̂), a = xW, m = exp(log(|x|+ε)W), g = σ(xG),
y = g⊙a + (1−g)⊙m, ε = 1e-7. "one": the same batch every step (fit with the whole data as one
batch); "many": each epoch a fresh permutation of a data set of `batches` batches, sliced in turn.
"""
import json
import math
import sys
import time


def main():
    req = json.load(sys.stdin)
    try:
        import torch
    except Exception as e:  # not installed: the bench leaves the column out
        print(json.dumps({"error": f"import torch: {e}"}))
        return
    threads = int(req["threads"])
    torch.set_num_threads(threads)
    reps, rep_seconds = int(req["reps"]), float(req["repSeconds"])
    torch.manual_seed(1)
    out = []
    for case in req["cases"]:
        B, I, O = (int(v) for v in case["shape"])
        batches = int(case.get("batches", 1)) if case["pattern"] == "many" else 1
        rates, cpu_rates = time_case(torch, B, I, O, case["pattern"], batches, reps, rep_seconds)
        out.append({**case, "rates": rates, "cpuRates": cpu_rates})
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": out}))


def time_case(torch, B, I, O, pattern, batches, reps, rep_seconds):
    nn = torch.nn

    class NALU(nn.Module):
        def __init__(self):
            super().__init__()
            self.W_hat = nn.Parameter(torch.empty(I, O))
            self.M_hat = nn.Parameter(torch.empty(I, O))
            self.G = nn.Parameter(torch.empty(I, O))
            for p in (self.W_hat, self.M_hat, self.G):
                nn.init.xavier_uniform_(p)

        def forward(self, x):
            W = torch.tanh(self.W_hat) * torch.sigmoid(self.M_hat)
            a = x @ W
            m = torch.exp(torch.log(torch.abs(x) + 1e-7) @ W)
            g = torch.sigmoid(x @ self.G)
            return g * a + (1 - g) * m

    model = NALU()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.MSELoss()
    rows = B * batches
    X = torch.rand(rows, I) * 2 - 1
    Y = torch.rand(rows, O) * 2 - 1

    def step(xb, yb):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()

    if pattern == "one":
        def run(n):
            for _ in range(n):
                step(X, Y)
            return n
    else:
        def run(n):
            epochs = max(1, math.ceil(n / batches))
            for _ in range(epochs):
                perm = torch.randperm(rows)
                for k in range(batches):
                    idx = perm[k * B:(k + 1) * B]
                    step(X[idx], Y[idx])
            return epochs * batches

    # Warm-up (allocator, autograd graph caches), then n calibrated to ~rep_seconds a repetition.
    run(min(batches * 4, 64))
    n = 1
    while True:
        t0 = time.perf_counter()
        ran = run(n)
        s = time.perf_counter() - t0
        if s > rep_seconds / 4:
            n = max(1, round(ran * rep_seconds / s))
            break
        n *= 4
    rates, cpu_rates = [], []
    for _ in range(reps):
        c0, t0 = time.process_time(), time.perf_counter()
        ran = run(n)
        rates.append(ran / (time.perf_counter() - t0))
        cpu_rates.append(ran / (time.process_time() - c0))
    return rates, cpu_rates


if __name__ == "__main__":
    main()
