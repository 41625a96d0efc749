"""basic-pitch's note decoding as it is written upstream (``output_to_notes_polyphonic``): plain loops and a
full ``argmax`` per melodia step.  Slow; for agreement tests with harmonia's numba kernel only."""

from __future__ import annotations

import numpy as np


def decode_reference(frames, onsets, *, onset_thresh, frame_thresh, min_note_len, energy_tol=11, melodia=True):
    """Return a list of (start_frame, end_frame, pitch_index, amplitude) like basic-pitch does."""
    n, k = frames.shape
    peaks = np.zeros_like(onsets)
    for t in range(1, n - 1):
        for f in range(k):
            if onsets[t, f] > onsets[t - 1, f] and onsets[t, f] > onsets[t + 1, f]:
                peaks[t, f] = onsets[t, f]
    ts, fs = np.where(peaks >= onset_thresh)
    remaining = frames.copy()
    notes = []
    for s, f in zip(ts[::-1], fs[::-1]):
        if s >= n - 1:
            continue
        i, c = s + 1, 0
        while i < n - 1 and c < energy_tol:
            c = c + 1 if remaining[i, f] < frame_thresh else 0
            i += 1
        i -= c
        if i - s <= min_note_len:
            continue
        remaining[s:i, f] = 0
        if f < k - 1:
            remaining[s:i, f + 1] = 0
        if f > 0:
            remaining[s:i, f - 1] = 0
        notes.append((int(s), int(i), int(f), float(np.mean(frames[s:i, f]))))
    if melodia:
        while np.max(remaining) > frame_thresh:
            mid, f = np.unravel_index(np.argmax(remaining), remaining.shape)
            remaining[mid, f] = 0
            i, c = mid + 1, 0
            while i < n - 1 and c < energy_tol:
                c = c + 1 if remaining[i, f] < frame_thresh else 0
                remaining[i, f] = 0
                if f < k - 1:
                    remaining[i, f + 1] = 0
                if f > 0:
                    remaining[i, f - 1] = 0
                i += 1
            end = i - 1 - c
            i, c = mid - 1, 0
            while i > 0 and c < energy_tol:
                c = c + 1 if remaining[i, f] < frame_thresh else 0
                remaining[i, f] = 0
                if f < k - 1:
                    remaining[i, f + 1] = 0
                if f > 0:
                    remaining[i, f - 1] = 0
                i -= 1
            start = i + 1 + c
            if end - start <= min_note_len:
                continue
            notes.append((int(start), int(end), int(f), float(np.mean(frames[start:end, f]))))
    return notes
