"""Metric hierarchy: the weight of every grid position of a bar.

A metre is read as a tree of subdivisions: the bar splits into beats (or beat groups), beats into
their subdivisions, and so on down to the grid.  The *level* of a grid position is the depth of the
highest node that starts on it (0 for the downbeat, 1 for the next strongest positions ...), as in
Longuet-Higgins & Lee (1984, doi:10.2307/40285282); the Lerdahl-Jackendoff *weight* counts the dots
of their metrical grid, ``n_levels - level``, so the downbeat is heaviest.

Simple metres split the bar by their numerator (4/4 first into halves, then quarters); compound
metres (6/8, 9/8, 12/8) split it into dotted beats and each beat into three; additive metres name
their groups, ``"2+2+3/8"`` or ``"3+2/8"``.  Every level below the notated unit is binary.

Palmer & Krumhansl (1990, doi:10.1037/0096-1523.16.4.728) asked listeners how well a probe event fitted
each position of a bar after a metrical context: ratings were highest on the downbeat and fell level by
level of this tree (more finely differentiated for musicians).  :func:`metric_profile` offers their
profile in that ordinal form, on their 1-7 rating scale (see its notes: it is not their measured means).

Examples
--------
>>> metric_levels("4/4", grid=8).tolist()
[0, 3, 2, 3, 1, 3, 2, 3]
>>> metric_weights("6/8", grid=6).tolist()
[3, 1, 1, 2, 1, 1]
>>> metric_levels("2+2+3/8", grid=7).tolist()
[0, 2, 1, 2, 1, 2, 2]
"""

from __future__ import annotations

import re

import numpy as np

from harmonia.errors import InvalidScoreError

__all__ = ["PROFILES", "beat_period", "metric_levels", "metric_profile", "metric_weights", "parse_meter"]

#: Kinds of :func:`metric_profile`.
PROFILES = ("lhl", "lj", "palmer_krumhansl")

_METER_RE = re.compile(r"^\s*(\d+(?:\s*\+\s*\d+)*)\s*/\s*(\d+)\s*$")


def parse_meter(meter: str | tuple[int, int]) -> tuple[tuple[int, ...], int]:
    """Split a metre into its beat groups (in units of the denominator) and its denominator.

    Parameters
    ----------
    meter : str or tuple of int
        ``"4/4"``, ``"12/8"``, ``"2+2+3/8"`` or ``(numerator, denominator)``.

    Returns
    -------
    tuple
        ``(groups, denominator)``; ``groups`` sums to the numerator.

    Examples
    --------
    >>> parse_meter("6/8"), parse_meter("3/4"), parse_meter("3+2/8")
    (((3, 3), 8), ((1, 1, 1), 4), ((3, 2), 8))
    """
    if isinstance(meter, tuple):
        meter = f"{meter[0]}/{meter[1]}"
    m = _METER_RE.match(str(meter))
    if m is None:
        raise InvalidScoreError(f"bad metre {meter!r}: expected 'N/D' or additive 'a+b+c/D', e.g. '7/8' or '2+2+3/8'")
    parts = tuple(int(x) for x in m.group(1).split("+"))
    den = int(m.group(2))
    if den <= 0 or any(p <= 0 for p in parts):
        raise InvalidScoreError(f"bad metre {meter!r}: numerator and denominator must be positive")
    if len(parts) > 1:
        return parts, den
    num = parts[0]
    if den >= 8 and num % 3 == 0 and num > 3:  # compound: dotted beats of three
        return (3,) * (num // 3), den
    if num == 5:
        return (3, 2), den
    if num == 7:
        return (2, 2, 3), den
    return (1,) * num, den


def _simple_levels(n: int) -> np.ndarray:
    """Levels of ``n`` equal beats: halve while even (4 -> 2 x 2), else split into ``n`` at once."""
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    if n % 2 == 0 and n > 2:
        half = _simple_levels(n // 2) + 1
        half[0] = 1
        out = np.concatenate([half, half])
        out[0] = 0
        return out
    out = np.ones(n, dtype=np.int64)
    out[0] = 0
    return out


def _levels_in_units(groups: tuple[int, ...]) -> np.ndarray:
    """Levels of each denominator unit in one bar (before grid refinement)."""
    n = sum(groups)
    lev = np.full(n, 0, dtype=np.int64)
    starts = np.cumsum((0, *groups[:-1]))
    if all(g == 1 for g in groups):
        return _simple_levels(n)
    # grouped metres: bar -> (pairs of groups when 4 equal groups) -> groups -> units
    level = 1
    if len(groups) == 4 and len(set(groups)) == 1:
        lev[:] = -1
        lev[0] = 0
        lev[starts[2]] = 1
        level = 2
    else:
        lev[:] = -1
        lev[0] = 0
    for s in starts[1:]:
        if lev[s] < 0:
            lev[s] = level
    lev[lev < 0] = level + 1
    return lev


def metric_levels(meter: str | tuple[int, int], *, grid: int) -> np.ndarray:
    """Return the metric level (0 = downbeat, larger = weaker) of each of ``grid`` positions in a bar.

    Parameters
    ----------
    meter : str or tuple of int
        The metre (see :func:`parse_meter`).
    grid : int
        Pulses per bar: the metre's units (beats, or eighths of compound and additive metres) times a
        power of two, or times three times a power of two (triplets split the unit in three first).

    Returns
    -------
    numpy.ndarray
        ``int64`` levels, shape ``(grid,)``.

    Examples
    --------
    >>> metric_levels("12/8", grid=12).tolist()
    [0, 3, 3, 2, 3, 3, 1, 3, 3, 2, 3, 3]
    >>> metric_levels("3/4", grid=6).tolist()
    [0, 2, 1, 2, 1, 2]
    >>> metric_levels("2/4", grid=6).tolist()  # triplet eighths
    [0, 2, 2, 1, 2, 2]
    """
    groups, _ = parse_meter(meter)
    n = sum(groups)
    if grid <= 0 or grid % n:
        raise InvalidScoreError(f"grid={grid} must be a positive multiple of the metre's {n} units")
    sub = grid // n
    odd = sub // 3 if sub % 3 == 0 else sub
    if odd & (odd - 1):
        raise InvalidScoreError(
            f"grid={grid}: each of the {n} units must split into a power of two pulses, or three times one"
        )
    periods = [sub]
    p = sub
    if sub % 3 == 0:
        p //= 3
        periods.append(p)
    while p > 1:
        p //= 2
        periods.append(p)
    base = _levels_in_units(groups)
    top = int(base.max())
    out = np.empty(grid, dtype=np.int64)
    for q in range(grid):
        u, r = divmod(q, sub)
        if r == 0:
            out[q] = base[u]
        else:
            out[q] = top + next(i for i, per in enumerate(periods) if r % per == 0)
    return out


def metric_weights(meter: str | tuple[int, int], *, grid: int) -> np.ndarray:
    """Lerdahl-Jackendoff weights (number of grid dots) of each position: ``n_levels - level``.

    Examples
    --------
    >>> metric_weights("4/4", grid=4).tolist()
    [3, 1, 2, 1]
    """
    lev = metric_levels(meter, grid=grid)
    return int(lev.max()) + 1 - lev


def beat_period(meter: str | tuple[int, int], *, grid: int) -> int:
    """Grid pulses per beat (a quarter in 4/4, a dotted quarter in 6/8 and 12/8, an eighth in 7/8).

    Examples
    --------
    >>> beat_period("4/4", grid=16), beat_period("12/8", grid=12)
    (4, 3)
    """
    groups, _den = parse_meter(meter)
    n = sum(groups)
    unit = grid // n
    if len(set(groups)) == 1 and groups[0] in (1, 3):
        return unit * groups[0]
    return unit


def metric_profile(meter: str | tuple[int, int], *, grid: int, kind: str = "lj") -> np.ndarray:
    """A metrical profile: how strong each of ``grid`` positions of a bar is.

    Parameters
    ----------
    meter : str or tuple of int
        The metre (see :func:`parse_meter`).
    grid : int
        Pulses per bar (see :func:`metric_levels`).
    kind : {"lj", "lhl", "palmer_krumhansl"}
        ``"lj"``: Lerdahl & Jackendoff's dot counts (:func:`metric_weights`); ``"lhl"``: Longuet-Higgins
        & Lee's weights, 0 on the downbeat and -1, -2 ... below (minus :func:`metric_levels`);
        ``"palmer_krumhansl"``: the goodness-of-fit profile of Palmer & Krumhansl (1990), a probe rating
        from 1 (poor fit) to 7 (good fit) per position, highest on the downbeat and one step lower for
        each level of the hierarchy.  Their experiments established this ordering (on 4/4 and 3/4 bars at
        up to sixteenth-note resolution); the equal steps between levels, spread linearly over the 1-7
        scale, are this library's choice, not their measured means, which are not reproduced here.

    Returns
    -------
    numpy.ndarray
        ``float64`` profile, shape ``(grid,)``.

    References
    ----------
    Palmer, C. & Krumhansl, C. L. (1990). Mental representations for musical meter. *Journal of
    Experimental Psychology: Human Perception and Performance* 16(4), 728-741.
    doi:10.1037/0096-1523.16.4.728

    Examples
    --------
    >>> metric_profile("4/4", grid=8, kind="palmer_krumhansl").tolist()
    [7.0, 1.0, 3.0, 1.0, 5.0, 1.0, 3.0, 1.0]
    >>> metric_profile("3/4", grid=3, kind="lhl").tolist()
    [0.0, -1.0, -1.0]
    """
    lev = metric_levels(meter, grid=grid).astype(np.float64)
    if kind == "lj":
        return lev.max() + 1.0 - lev
    if kind == "lhl":
        return -lev + 0.0
    if kind == "palmer_krumhansl":
        top = lev.max()
        return 7.0 - 6.0 * lev / top if top > 0 else np.full(grid, 7.0)
    raise InvalidScoreError(f"unknown metric profile {kind!r}: expected one of {PROFILES}")
