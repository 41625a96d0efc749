"""Write a tiny valid SoundFont 2 file (one preset, one looped sine sample) for tests.

The layout follows the SoundFont 2.04 specification: a RIFF ``sfbk`` with INFO, sdta (16-bit samples,
each followed by 46 zero samples) and pdta (preset, instrument and sample headers, each list closed by a
terminal record).
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np


def _chunk(tag: bytes, data: bytes) -> bytes:
    if len(data) % 2:
        data += b"\0"
    return tag + struct.pack("<I", len(data)) + data


def _list(kind: bytes, *chunks: bytes) -> bytes:
    return _chunk(b"LIST", kind + b"".join(chunks))


def _name(text: str) -> bytes:
    return text.encode("ascii")[:19].ljust(20, b"\0")


def write_sine_sf2(path: str | Path, *, rate: int = 44000, freq: float = 440.0, root_key: int = 69) -> Path:
    """A SoundFont whose preset 0 (bank 0) plays a looped sine; ``root_key`` sounds at ``freq``."""
    period = rate / freq
    n = int(round(20 * period))
    t = np.arange(n)
    pcm = np.round(0.5 * 32767 * np.sin(2 * np.pi * t / period)).astype("<i2")
    smpl = pcm.tobytes() + b"\0\0" * 46
    info = _list(
        b"INFO",
        _chunk(b"ifil", struct.pack("<HH", 2, 1)),
        _chunk(b"isng", b"EMU8000\0"),
        _chunk(b"INAM", b"harmonia test sine\0"),
    )
    sdta = _list(b"sdta", _chunk(b"smpl", smpl))
    phdr = _name("Sine") + struct.pack("<HHHIII", 0, 0, 0, 0, 0, 0)
    phdr += _name("EOP") + struct.pack("<HHHIII", 0, 0, 1, 0, 0, 0)
    pbag = struct.pack("<HH", 0, 0) + struct.pack("<HH", 1, 0)
    pmod = b"\0" * 10
    pgen = struct.pack("<HH", 41, 0) + struct.pack("<HH", 0, 0)  # instrument 0
    inst = _name("Sine") + struct.pack("<H", 0) + _name("EOI") + struct.pack("<H", 1)
    igens = [(54, 1), (58, root_key), (53, 0)]  # loop continuously, root key, sample 0 (last)
    ibag = struct.pack("<HH", 0, 0) + struct.pack("<HH", len(igens), 0)
    imod = b"\0" * 10
    igen = b"".join(struct.pack("<HH", op, amount) for op, amount in igens) + struct.pack("<HH", 0, 0)
    loop_start = int(round(10 * period))
    shdr = _name("sine") + struct.pack("<IIIIIBbHH", 0, n, loop_start, n, rate, root_key, 0, 0, 1)
    shdr += _name("EOS") + struct.pack("<IIIIIBbHH", 0, 0, 0, 0, 0, 0, 0, 0, 0)
    pdta = _list(
        b"pdta",
        _chunk(b"phdr", phdr), _chunk(b"pbag", pbag), _chunk(b"pmod", pmod), _chunk(b"pgen", pgen),
        _chunk(b"inst", inst), _chunk(b"ibag", ibag), _chunk(b"imod", imod), _chunk(b"igen", igen),
        _chunk(b"shdr", shdr),
    )
    body = b"sfbk" + info + sdta + pdta
    out = Path(path)
    out.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return out
