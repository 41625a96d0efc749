"""Slow, obvious twin of harmonia.theory.constraints: one Python loop per row and token."""

from __future__ import annotations

import math

import numpy as np

from harmonia.errors import ConstraintError
from harmonia.theory import constraints as C
from harmonia.theory.vocab import DRUM_PITCH, PITCH, POSITION

_RULE_OF = {C.InKey: "key", C.ChordTones: "chord", C.InRange: "range", C.MaxLeap: "leap",
            C.NoParallels: "parallel", C.OnGrid: "grid", C.DrumKit: "drum"}


def _bit(word: int, k: int) -> bool:
    return bool((int(word) >> k) & 1)


def token_penalty(cs, st, kind, value, weights) -> float:
    """Penalty of one token for one state row (a dict of the state's columns)."""
    total = 0.0

    def add(rule, broken):
        nonlocal total
        if broken and rule in weights:
            total += weights[rule]

    contrary = any(isinstance(r, C.NoParallels) and r.contrary for r in cs.rules)
    if kind == DRUM_PITCH or (kind == PITCH and st["drum"]):
        add("drum", not _bit(st["kit"][value // 64], value % 64))
    elif kind == PITCH:
        p = value
        add("key", not _bit(st["key"], p % 12))
        add("chord", not _bit(st["chord"], p % 12))
        add("range", p < st["low"] or p > st["high"])
        if st["prev"] >= 0 and st["leap"] >= 0:
            add("leap", abs(p - st["prev"]) > st["leap"])
        q, qp, pp = st["other"], st["other_prev"], st["prev"]
        if pp >= 0 and qp >= 0 and q >= 0 and q != qp and p != pp:
            before, now = abs(pp - qp) % 12, abs(p - q) % 12
            same_dir = (p > pp) == (q > qp)
            add("parallel", before in (0, 7) and now == before and (contrary or same_dir))
    elif kind == POSITION:
        add("grid", not _bit(st["grid"][value // 64], value % 64))
    return total


def _row_state(state, b):
    d = state.data[b]
    return {"key": d[C.KEY], "chord": d[C.CHORD], "low": d[C.LOW], "high": d[C.HIGH], "prev": d[C.PREV],
            "leap": d[C.LEAP], "other_prev": d[C.OTHER_PREV], "other": d[C.OTHER_PITCH], "drum": bool(d[C.DRUM]),
            "kit": [d[C.KIT0], d[C.KIT1]], "grid": list(d[C.GRID0:])}


def reference_apply(cs, logits, state):
    """What ConstraintSet.apply returns, computed token by token (float64 penalties, cast like the kernel)."""
    x = np.asarray(logits)
    out = x.copy()
    vocab = cs.vocab
    weights = {}
    order = []
    for r in cs.rules:
        hard = (cs.mode == "hard") if r.hard is None else r.hard
        weights[_RULE_OF[type(r)]] = math.inf if hard else r.weight
        order.append(_RULE_OF[type(r)])
    for b in range(x.shape[0]):
        st = _row_state(state, b)
        w = dict(weights)
        while True:
            pen = np.array([token_penalty(cs, st, vocab.kind[v], vocab.value[v], w) for v in range(vocab.size)])
            pen = pen.astype(x.dtype)
            ok = True
            for kind in (PITCH, DRUM_PITCH, POSITION):
                sel = vocab.kind == kind
                before = np.any(x[b, sel] > -np.inf)
                after = np.any((x[b, sel] > -np.inf) & (pen[sel] != np.inf))
                ok &= not (before and not after)
            if ok:
                break
            if cs.on_empty == "raise":
                raise ConstraintError(f"row {b}: reference finds no allowed token")
            hard = [name for name in order if w.get(name) == math.inf]
            w[hard[-1]] = 0.0
        row = x[b] - pen
        out[b] = np.where(pen == np.inf, -np.inf, row)
    return out
