"""Learn genre conventions from the POP909 development songs and print the learned entry.

Runs :func:`harmonia.workflows.conventions.learn_conventions` on every song of ``../shared/data/pop909-dev``
(34 songs), prints the report of ``harmonia conventions learn``, the n-gram tables, how the learned entry
compares with the shipped genres (cosine similarity of the convention vectors, after adding the learned
entry to the set), and the time taken.

Usage: python benchmarks/bench_conventions.py [-o learned.json]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import shared_data, table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--out", help="write the learned entry (JSON) here")
    args = parser.parse_args()
    folder = shared_data("pop909-dev")
    if folder is None:
        print("../shared/data/pop909-dev is not present; nothing to learn from.")
        return 0
    from harmonia.symbolic import genres as G
    from harmonia.workflows.genres import learn_report

    t = time.perf_counter()
    text, status = learn_report(folder, "pop909-dev", args.out)
    elapsed = time.perf_counter() - t
    print(text)
    print(f"\n{elapsed:.1f} s for the whole folder (load, analysis and learning; status {status})\n")

    from harmonia.workflows.conventions import learn_conventions

    g = learn_conventions(folder, "pop909-dev")
    for n in ("2", "3", "4"):
        rows = [[" ".join(figs), mode, count] for figs, mode, count in g.statistics["ngrams"][n][:8]]
        print(f"most frequent {n}-grams")
        print(table(["numerals", "mode", "count"], rows))
        print()

    # where the learned entry sits among the shipped genres: the same features and scaling, one more row
    names = G.list_genres()
    feats = [G.genre_features(n) for n in names] + [G.genre_features(g)]
    blocks = []
    for group in G._FEATURE_GROUPS:
        x = np.stack([f[group] for f in feats]).astype(float)
        if group != "instrumentation":
            sd = x.std(axis=0)
            x = (x - x.mean(axis=0)) / np.where(sd > 1e-12, sd, 1.0)
        else:
            x = x - x.mean(axis=0)
        blocks.append(G.GROUP_WEIGHTS[group] * x / max(np.sqrt((x**2).sum(axis=1)).mean(), 1e-12))
    mat = np.concatenate(blocks, axis=1)
    mat /= np.linalg.norm(mat, axis=1, keepdims=True)
    sim = mat[:-1] @ mat[-1]
    order = np.argsort(-sim)[:6]
    print("shipped genres nearest to the learned POP909 entry")
    print(table(["genre", "cosine similarity"], [[names[i], f"{sim[i]:.3f}"] for i in order]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
