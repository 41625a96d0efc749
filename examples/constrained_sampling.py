"""Sampling from a small random model with and without a hard constraint set.

The "model" is a random bigram table over a pitch + position vocabulary (``Position_0..47``, 12 per
beat, so triplet positions exist, and ``Pitch_0..127``), or with ``--mlp`` a tiny random torch MLP.
Steps alternate: a position token, then a pitch token (a grammar mask does that).  The constraint set
asks for C major, the flute's comfortable range, leaps of at most a fifth, and a sixteenth-note grid in
4/4.  The script prints the share of out-of-key, out-of-range and off-grid notes with and without it.

Run: ``python examples/constrained_sampling.py [--steps 2000] [--mlp]``.
"""

from __future__ import annotations

import argparse

import numpy as np

from harmonia.theory.constraints import ConstraintSet, InKey, InRange, MaxLeap, OnGrid, key_pc_mask
from harmonia.theory.vocab import POSITION, TokenVocabulary

VOCAB = TokenVocabulary.from_tokens(
    [f"Position_{i}" for i in range(48)] + [f"Pitch_{p}" for p in range(128)], positions_per_beat=12
)
RULES = [InKey("C", "major"), InRange(instrument="flute"), MaxLeap(7), OnGrid(subdivisions=(4,), meter=(4, 4))]


def _grammar(kind_wanted: int) -> np.ndarray:
    return np.where(VOCAB.kind == kind_wanted, 0.0, -np.inf)


def sample(*, constrained: bool, steps: int = 1000, batch: int = 8, seed: int = 0, mlp: bool = False) -> dict:
    """Sample ``steps`` notes in each of ``batch`` sequences and measure them.

    Returns
    -------
    dict
        ``notes``, and the shares ``out_of_key``, ``out_of_range``, ``off_grid`` (0..1), plus
        ``big_leaps`` (share of leaps over a fifth).
    """
    rng = np.random.default_rng(seed)
    cs = ConstraintSet(RULES, vocab=VOCAB)
    state = cs.new_state(batch)
    low, high = int(state.low[0]), int(state.high[0])
    grid = state.grid_allowed()[0]
    key = key_pc_mask("C")
    if mlp:
        import torch

        from harmonia.neural.constraints import apply_constraints

        torch.manual_seed(seed)
        net = torch.nn.Sequential(torch.nn.Embedding(VOCAB.size, 32), torch.nn.Tanh(), torch.nn.Linear(32, VOCAB.size))
    else:
        table = rng.normal(0.0, 2.0, size=(VOCAB.size, VOCAB.size)).astype(np.float32)
    prev = np.zeros(batch, dtype=np.int64)
    pitches, positions = [], []
    for step in range(2 * steps):
        want = POSITION if step % 2 == 0 else 1
        if mlp:
            with torch.no_grad():
                logits_t = net(torch.as_tensor(prev)) + torch.as_tensor(_grammar(want), dtype=torch.float32)
                if constrained:
                    logits_t = apply_constraints(logits_t, cs, state)
                logits = logits_t.numpy()
        else:
            logits = table[prev] + _grammar(want).astype(np.float32)
            if constrained:
                logits = cs.apply(logits, state)
        p = np.exp(logits - logits.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        u = rng.random((batch, 1))
        tok = np.minimum((p.cumsum(1) < u).sum(1), VOCAB.size - 1)
        (positions if want == POSITION else pitches).append(VOCAB.value[tok])
        state.observe(tok)
        prev = tok
    pitch = np.array(pitches)  # (steps, batch)
    pos = np.array(positions)
    leaps = np.abs(np.diff(pitch, axis=0))
    return {
        "notes": int(pitch.size),
        "out_of_key": float(np.mean([(key >> int(pc)) & 1 == 0 for pc in (pitch % 12).ravel()])),
        "out_of_range": float(np.mean((pitch < low) | (pitch > high))),
        "off_grid": float(np.mean(~grid[pos])),
        "big_leaps": float(np.mean(leaps > 7)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--mlp", action="store_true", help="a tiny random torch MLP instead of a bigram table")
    args = parser.parse_args(argv)
    print("| sampling | notes | out of key | out of range | off grid | leaps > 5th |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for constrained in (False, True):
        r = sample(constrained=constrained, steps=args.steps, mlp=args.mlp)
        name = "hard constraint set" if constrained else "unconstrained"
        print(f"| {name} | {r['notes']} | {r['out_of_key']:.1%} | {r['out_of_range']:.1%} | {r['off_grid']:.1%} "
              f"| {r['big_leaps']:.1%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
