"""Numba kernels of the built-in synthesizer (private; see :mod:`harmonia.audio.synth`).

Every kernel adds a batch of notes of one instrument into a stereo buffer ``out`` of shape
``(2, n_samples)`` (float64).  Per-note inputs are parallel arrays: ``start`` (first sample), ``hold``
(samples until the note is released), ``gl``/``gr`` (left and right gains, velocity and pan included)
and ``rand`` (``(n_notes, 8)`` uniform numbers drawn by the caller from a seeded generator, so that
rendering is deterministic).  Notes are cut at the end of the buffer.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# -- subtractive parameter vector (bass, pads, strings, leads, brass) ------------------------------
P_NOSC = 0  # number of oscillators (1-7)
P_DETUNE = 1  # total detune spread, cents
P_STEREO = 2  # 0..1: how far the oscillators spread left/right
P_SQUARE = 3  # 0 saw .. 1 square
P_SUB = 4  # level of a sine one octave below
P_CUTOFF = 5  # low-pass cutoff at middle C, Hz
P_KEYTRACK = 6  # 0..1: cutoff follows the note's frequency
P_ENVAMT = 7  # cutoff multiplier added at the filter envelope's peak
P_FDECAY = 8  # filter envelope decay time constant, s
P_RES = 9  # resonance 0..1
P_VELBRIGHT = 10  # how much velocity opens the filter (exponent)
P_A = 11  # attack, s
P_D = 12  # decay time constant, s
P_S = 13  # sustain level 0..1
P_R = 14  # release time constant, s
P_VIBRATE = 15  # vibrato rate, Hz
P_VIBDEPTH = 16  # vibrato depth, cents
P_VIBDELAY = 17  # vibrato fade-in, s
P_LFORATE = 18  # cutoff LFO rate, Hz
P_LFODEPTH = 19  # cutoff LFO depth, octaves
N_SUB_PARAMS = 20

# -- drum pieces -------------------------------------------------------------------------------------
KICK, SNARE, SIDESTICK, CLAP, HAT_CLOSED, HAT_PEDAL, HAT_OPEN, TOM, CRASH, RIDE, SHAKER, COWBELL, PERC = range(13)

_TWO_PI = 2.0 * math.pi



@njit(cache=True, inline="always")
def _adsr_step(env, t, hold, attack_n, release_coef, sustain, decay_coef):  # pragma: no cover - compiled
    """The envelope at sample ``t`` from its value at ``t - 1``: a linear attack over ``attack_n``
    samples, an exponential decay towards ``sustain`` (``decay_coef`` per sample; 0 jumps to it) while
    the note is held, and an exponential release (``release_coef`` per sample) from ``hold`` on."""
    if t >= hold:
        return env * release_coef
    if t < attack_n:
        return (t + 1.0) / attack_n
    return sustain + (env - sustain) * decay_coef

@njit(cache=True, fastmath=True)
def _blep(t, dt):  # pragma: no cover - compiled
    if t < dt:
        x = t / dt
        return x + x - x * x - 1.0
    if t > 1.0 - dt:
        x = (t - 1.0) / dt
        return x * x + x + x + 1.0
    return 0.0


@njit(cache=True, fastmath=True)
def subtractive_kernel(out, start, hold, f0, vel, gl, gr, rand, p, sr):  # pragma: no cover - compiled
    """Detuned polyBLEP saw/square oscillators, a sub sine, a TPT state-variable low-pass with an
    envelope, LFO and velocity on its cutoff, vibrato, and an ADSR amplitude envelope."""
    n_out = out.shape[1]
    nosc = max(1, min(7, int(p[P_NOSC])))
    blk = 32
    a_n = max(1, int(p[P_A] * sr))
    dcoef = math.exp(-1.0 / (max(p[P_D], 1e-4) * sr))
    rcoef = math.exp(-1.0 / (max(p[P_R], 1e-4) * sr))
    fdcoef = math.exp(-blk / (max(p[P_FDECAY], 1e-4) * sr))
    rel_len = int(7.0 * max(p[P_R], 1e-4) * sr) + 1
    k_damp = 2.0 - 1.9 * min(max(p[P_RES], 0.0), 1.0)
    sus = p[P_S]
    sq = p[P_SQUARE]
    sub = p[P_SUB]
    ratio = np.empty(nosc)
    wl = np.empty(nosc)
    wr = np.empty(nosc)
    ph = np.empty(nosc)
    for k in range(nosc):
        frac = 0.0 if nosc == 1 else k / (nosc - 1) - 0.5
        ratio[k] = 2.0 ** (p[P_DETUNE] * frac / 1200.0)
        pos = 2.0 * frac * p[P_STEREO]
        wl[k] = math.sqrt(0.5 * (1.0 - pos))
        wr[k] = math.sqrt(0.5 * (1.0 + pos))
    norm = 1.0 / math.sqrt(nosc)
    for i in range(start.size):
        s0 = start[i]
        if s0 >= n_out:
            continue
        length = min(hold[i] + rel_len, n_out - s0)
        for k in range(nosc):
            ph[k] = rand[i, k % 7]
        sub_ph = rand[i, 7]
        base = p[P_CUTOFF] * (f0[i] / 261.6256) ** p[P_KEYTRACK] * (0.25 + 0.75 * vel[i]) ** p[P_VELBRIGHT]
        zl1 = 0.0
        zl2 = 0.0
        zr1 = 0.0
        zr2 = 0.0
        env = 0.0
        fenv = 1.0
        h = hold[i]
        for b0 in range(0, length, blk):
            tsec = b0 / sr
            vib = 1.0
            if p[P_VIBDEPTH] > 0.0:
                ramp = min(1.0, tsec / p[P_VIBDELAY]) if p[P_VIBDELAY] > 0.0 else 1.0
                vib = 2.0 ** (p[P_VIBDEPTH] * ramp * math.sin(_TWO_PI * p[P_VIBRATE] * tsec) / 1200.0)
            lfo = 1.0
            if p[P_LFODEPTH] > 0.0:
                lfo = 2.0 ** (p[P_LFODEPTH] * math.sin(_TWO_PI * p[P_LFORATE] * tsec + 6.0 * rand[i, 0]))
            fc = min(base * (1.0 + p[P_ENVAMT] * fenv) * lfo, 0.45 * sr)
            fenv *= fdcoef
            g = math.tan(math.pi * fc / sr)
            a1 = 1.0 / (1.0 + g * (g + k_damp))
            a2 = g * a1
            a3 = g * a2
            dt0 = f0[i] * vib / sr
            b1 = min(b0 + blk, length)
            for t in range(b0, b1):
                env = _adsr_step(env, t, h, a_n, rcoef, sus, dcoef)
                xl = 0.0
                xr = 0.0
                for k in range(nosc):
                    dt = dt0 * ratio[k]
                    q = ph[k] + dt
                    if q >= 1.0:
                        q -= 1.0
                    ph[k] = q
                    v = 2.0 * q - 1.0 - _blep(q, dt)
                    if sq > 0.0:
                        q2 = q + 0.5
                        if q2 >= 1.0:
                            q2 -= 1.0
                        v2 = 2.0 * q2 - 1.0 - _blep(q2, dt)
                        v = (1.0 - sq) * v + sq * 0.7 * (v - v2)
                    xl += wl[k] * v
                    xr += wr[k] * v
                # TPT state-variable low-pass, one per channel
                v3 = xl * norm - zl2
                v1 = a1 * zl1 + a2 * v3
                v2 = zl2 + a2 * zl1 + a3 * v3
                zl1 = 2.0 * v1 - zl1
                zl2 = 2.0 * v2 - zl2
                yl = v2
                v3 = xr * norm - zr2
                v1 = a1 * zr1 + a2 * v3
                v2 = zr2 + a2 * zr1 + a3 * v3
                zr1 = 2.0 * v1 - zr1
                zr2 = 2.0 * v2 - zr2
                yr = v2
                if sub > 0.0:
                    sub_ph += 0.5 * dt0
                    if sub_ph >= 1.0:
                        sub_ph -= 1.0
                    s = sub * math.sin(_TWO_PI * sub_ph)
                    yl += s
                    yr += s
                out[0, s0 + t] += gl[i] * env * yl
                out[1, s0 + t] += gr[i] * env * yr


@njit(cache=True, fastmath=True)
def additive_kernel(out, start, hold, gl, gr, pfreq, pamp, pdecay, attack_s, release_s, sr):  # pragma: no cover
    """Sums of decaying sinusoids (piano, organ, sine): partial ``k`` of note ``i`` has frequency
    ``pfreq[i, k]`` Hz, amplitude ``pamp[i, k]`` and exponential decay rate ``pdecay[i, k]`` (1/s).
    Recursive (rotation) oscillators; a linear attack and an exponential release after ``hold``."""
    n_out = out.shape[1]
    a_n = max(1, int(attack_s * sr))
    rcoef = math.exp(-1.0 / (max(release_s, 1e-4) * sr))
    rel_len = int(7.0 * max(release_s, 1e-4) * sr) + 1
    n_part = pfreq.shape[1]
    cw = np.zeros(n_part)
    sw = np.zeros(n_part)
    cc = np.zeros(n_part)
    ss = np.zeros(n_part)
    aa = np.zeros(n_part)
    dd = np.zeros(n_part)
    for i in range(start.size):
        s0 = start[i]
        if s0 >= n_out:
            continue
        # stop where the slowest partial has decayed by 80 dB
        slowest = 1e9
        for k in range(n_part):
            if pamp[i, k] > 0.0 and pdecay[i, k] < slowest:
                slowest = pdecay[i, k]
        natural = int(9.2 / slowest * sr) + 1 if slowest > 0.0 else hold[i]
        length = min(min(hold[i], natural) + rel_len, n_out - s0)
        if length <= 0:
            continue
        # the partials' oscillators advance together (independent chains keep the CPU busy)
        m = 0
        for k in range(n_part):
            if pamp[i, k] > 0.0 and pfreq[i, k] < 0.45 * sr:
                w = _TWO_PI * pfreq[i, k] / sr
                cw[m] = math.cos(w)
                sw[m] = math.sin(w)
                cc[m] = 1.0
                ss[m] = 0.0
                aa[m] = pamp[i, k]
                dd[m] = math.exp(-pdecay[i, k] / sr)
                m += 1
        buf = np.zeros(length)
        for t in range(length):
            acc = 0.0
            for j in range(m):
                acc += aa[j] * ss[j]
                c = cc[j]
                cc[j] = c * cw[j] - ss[j] * sw[j]
                ss[j] = ss[j] * cw[j] + c * sw[j]
                aa[j] *= dd[j]
            buf[t] = acc
        env = 0.0
        h = hold[i]
        for t in range(length):
            env = _adsr_step(env, t, h, a_n, rcoef, 1.0, 0.0)
            out[0, s0 + t] += gl[i] * env * buf[t]
            out[1, s0 + t] += gr[i] * env * buf[t]


@njit(cache=True, fastmath=True)
def fm_kernel(out, start, hold, f0, vel, gl, gr, p, sr):  # pragma: no cover - compiled
    """Two-operator FM with a decaying index (electric piano, mallets, bells), plus a quiet
    high "tine" partial.  ``p``: modulator ratio, index at full velocity, index decay (s),
    amplitude decay at middle C (s), attack (s), release (s), tine ratio, tine level, tine decay (s)."""
    n_out = out.shape[1]
    ratio, index, idecay, adecay, att = p[0], p[1], p[2], p[3], p[4]
    rel, tratio, tlevel, tdecay = p[5], p[6], p[7], p[8]
    a_n = max(1, int(att * sr))
    rcoef = math.exp(-1.0 / (max(rel, 1e-4) * sr))
    rel_len = int(7.0 * max(rel, 1e-4) * sr) + 1
    for i in range(start.size):
        s0 = start[i]
        if s0 >= n_out:
            continue
        f = f0[i]
        ad = adecay * (261.6256 / f) ** 0.5
        natural = int(9.2 * ad * sr) + 1
        length = min(min(hold[i], natural) + rel_len, n_out - s0)
        wc = _TWO_PI * f / sr
        wm = wc * ratio
        wt = wc * tratio
        ienv = index * (0.3 + 0.7 * vel[i])
        idc = math.exp(-1.0 / (idecay * sr))
        adc = math.exp(-1.0 / (ad * sr))
        tdc = math.exp(-1.0 / (tdecay * sr))
        tl = tlevel * vel[i] if f * tratio < 0.45 * sr else 0.0
        amp = 1.0
        env = 0.0
        h = hold[i]
        cmw, smw = math.cos(wm), math.sin(wm)
        ctw, stw = math.cos(wt), math.sin(wt)
        cm, sm = 1.0, 0.0
        ct, st = 1.0, 0.0
        phc = 0.0
        for t in range(length):
            env = _adsr_step(env, t, h, a_n, rcoef, 1.0, 0.0)
            y = amp * math.sin(phc + ienv * sm) + tl * st
            phc += wc
            if phc > _TWO_PI:
                phc -= _TWO_PI
            cm, sm = cm * cmw - sm * smw, sm * cmw + cm * smw
            ct, st = ct * ctw - st * stw, st * ctw + ct * stw
            ienv *= idc
            amp *= adc
            tl *= tdc
            out[0, s0 + t] += gl[i] * env * y
            out[1, s0 + t] += gr[i] * env * y


@njit(cache=True, fastmath=True)
def pluck_kernel(out, start, hold, f0, vel, gl, gr, rand, ring_sec, mute_sec, sr):  # pragma: no cover
    """Karplus-Strong plucked string: a noise burst (darker at low velocity) circulating in a delay
    line with a two-point average and an all-pass for the fractional delay; rings ``ring_sec``
    (60 dB) while held, ``mute_sec`` after release."""
    n_out = out.shape[1]
    for i in range(start.size):
        s0 = start[i]
        if s0 >= n_out:
            continue
        f = min(max(f0[i], 20.0), 0.2 * sr)
        d = sr / f
        n = int(d - 0.5)
        frac = d - 0.5 - n
        if frac < 0.1:
            n -= 1
            frac += 1.0
        c = (1.0 - frac) / (1.0 + frac)
        rho_ring = 10.0 ** (-3.0 / (ring_sec * f))
        rho_mute = 10.0 ** (-3.0 / (mute_sec * f))
        length = min(hold[i] + int(mute_sec * sr) + 1, int(ring_sec * 1.2 * sr), n_out - s0)
        ring = np.empty(n)
        # excitation: seeded white noise through a one-pole low-pass whose cutoff rises with velocity
        state = rand[i, 0] * 4294967296.0
        lp = 0.0
        alpha = 0.15 + 0.8 * vel[i]
        mean = 0.0
        for j in range(n):
            state = (state * 1103515245.0 + 12345.0) % 2147483648.0
            x = state / 1073741824.0 - 1.0
            lp += alpha * (x - lp)
            ring[j] = lp
            mean += lp
        mean /= n
        for j in range(n):
            ring[j] -= mean
        idx = 0
        prev = 0.0
        ax = 0.0
        ay = 0.0
        h = hold[i]
        for t in range(length):
            x0 = ring[idx]
            avg = 0.5 * (x0 + prev)
            prev = x0
            ap = c * avg + ax - c * ay
            ax = avg
            ay = ap
            ring[idx] = (rho_ring if t < h else rho_mute) * ap
            idx += 1
            if idx >= n:
                idx = 0
            out[0, s0 + t] += gl[i] * x0
            out[1, s0 + t] += gr[i] * x0


@njit(cache=True, fastmath=True)
def _svf_coefs(fc, k, sr):  # pragma: no cover - compiled
    g = math.tan(math.pi * min(fc, 0.45 * sr) / sr)
    a1 = 1.0 / (1.0 + g * (g + k))
    return a1, g * a1, g * g * a1


@njit(cache=True, fastmath=True)
def _decay(tau, sr):  # pragma: no cover - compiled
    return math.exp(-1.0 / (tau * sr)) if tau > 0.0 else 0.0


@njit(cache=True, fastmath=True)
def drum_kernel(out, start, piece, f0, amp, gl, gr, rand, noise, sr):  # pragma: no cover - compiled
    """A synthesized kit: pitch-swept sine kicks and toms, tone-plus-noise snares, clap bursts,
    hi-hats, cymbals and cowbell from detuned square "metal" and filtered noise.

    Every hit is one generic voice: a pitch-swept sine, a fixed sine, a noise click, and noise or
    "metal" through a state-variable filter (band and high-pass outputs), each with an exponential
    decay updated by multiplication.  ``noise`` is a seeded white-noise table read from a random offset.
    """
    n_out = out.shape[1]
    mask = noise.size - 1  # a power of two
    metal = np.array([205.3, 304.4, 369.6, 522.7, 540.0, 800.0])
    inc = np.zeros(6)
    mph = np.zeros(6)
    for i in range(start.size):
        s0 = start[i]
        if s0 >= n_out:
            continue
        pc = piece[i]
        # defaults: nothing sounds
        dur = 0.25
        f_lo = 0.0
        f_hi = 0.0
        tau_p = 0.05
        a_tone = 0.0
        tau_t = 0.1
        f2 = 0.0
        a_tone2 = 0.0
        tau_t2 = 0.1
        a_click = 0.0
        tau_c = 0.003
        a_noise = 0.0
        tau_n = 0.1
        wb = 0.0
        wh = 1.0
        fc = 8000.0
        kd = 1.0
        n_metal = 0
        mscale = 3.9
        mmix = 0.35
        clap = False
        if pc == KICK:
            dur, f_lo, f_hi, tau_p, a_tone, tau_t = 0.6, 48.0, 168.0, 0.035, 1.1, 0.32
            f2, a_tone2, tau_t2, a_click, tau_c = 1800.0, 0.25, 0.004, 0.35, 0.0025
        elif pc == SNARE:
            dur, f_lo, f_hi, a_tone, tau_t = 0.45, 185.0, 185.0, 0.385, 0.07
            f2, a_tone2, tau_t2 = 330.0, 0.22, 0.07
            a_noise, tau_n, wb, wh, fc, kd = 1.1, 0.13, 1.0, 0.5, 3500.0, 1.2
        elif pc == SIDESTICK:
            dur, f2, a_tone2, tau_t2 = 0.1, 1700.0, 0.6, 0.012
            a_noise, tau_n, wb, wh, fc = 0.8, 0.012, 1.0, 0.0, 2500.0
        elif pc == CLAP:
            dur, a_noise, wb, wh, fc, kd, clap = 0.4, 2.2, 1.0, 0.0, 1300.0, 0.7, True
        elif pc == HAT_CLOSED:
            dur, n_metal, a_noise, tau_n = 0.2, 6, 0.9, 0.03
        elif pc == HAT_PEDAL:
            dur, n_metal, a_noise, tau_n = 0.15, 6, 0.6, 0.018
        elif pc == HAT_OPEN:
            dur, n_metal, a_noise, tau_n = 1.0, 6, 0.8, 0.28
        elif pc == SHAKER:
            dur, a_noise, tau_n = 0.25, 0.6, 0.05
        elif pc == CRASH:
            dur, n_metal, a_noise, tau_n, wb, fc, kd = 3.0, 6, 0.75, 0.9, 0.3, 5000.0, 1.2
        elif pc == RIDE:
            dur, n_metal, mscale, mmix, a_noise, tau_n, fc, kd = 2.2, 6, 3.3, 0.55, 0.45, 0.8, 5000.0, 1.2
            f2, a_tone2, tau_t2 = 2950.0, 0.25, 0.243
        elif pc == COWBELL:
            dur, n_metal, mmix, a_noise, tau_n, wb, wh, fc, kd = 0.3, 2, 0.9, 1.2, 0.07, 1.0, 0.0, 800.0, 0.5
        elif pc == TOM:
            dur, f_lo, f_hi, tau_p, a_tone, tau_t = 0.8, f0[i], 1.45 * f0[i], 0.06, 1.0, 0.28
            a_click, tau_c = 0.08, 0.03
        else:  # PERC: pitched blip
            dur, f_lo, f_hi, tau_p, a_tone, tau_t = 0.25, f0[i], 1.2 * f0[i], 0.02, 0.8, 0.07
            a_click, tau_c = 0.1, 0.005
        length = min(int(dur * sr), n_out - s0)
        for k in range(n_metal):
            fk = (540.0 + 260.0 * k) if pc == COWBELL else metal[k] * mscale
            inc[k] = fk / sr
            mph[k] = rand[i, 1 + k % 6]
        fa1, fa2, fa3 = _svf_coefs(fc, kd, sr)
        d_p, d_t, d_t2, d_c, d_n = _decay(tau_p, sr), _decay(tau_t, sr), _decay(tau_t2, sr), _decay(tau_c, sr), _decay(
            tau_n, sr
        )
        d_b = _decay(0.0045, sr)
        d_tail = _decay(0.11, sr)
        b1 = int(0.011 * sr)
        b2 = int(0.022 * sr)
        b3 = int(0.03 * sr)
        e_p = 1.0
        e_t = a_tone
        e_t2 = a_tone2
        e_c = a_click
        e_n = a_noise
        e_b = 1.0
        e_tail = 0.0
        ph = 0.0
        w2 = _TWO_PI * f2 / sr
        c2 = math.cos(w2)
        s2w = math.sin(w2)
        oc = 1.0
        os_ = 0.0
        z1 = 0.0
        z2 = 0.0
        off = int(rand[i, 0] * noise.size)
        g_l = gl[i] * amp[i]
        g_r = gr[i] * amp[i]
        for t in range(length):
            nz = noise[(off + t) & mask]
            y = 0.0
            if a_noise > 0.0:
                x = nz
                if n_metal > 0:
                    m = 0.0
                    for k in range(n_metal):
                        q = mph[k] + inc[k]
                        if q >= 1.0:
                            q -= 1.0
                        mph[k] = q
                        m += 1.0 if q < 0.5 else -1.0
                    x = (1.0 - mmix) * nz + mmix * m / n_metal
                v3 = x - z2
                v1 = fa1 * z1 + fa2 * v3
                v2 = z2 + fa2 * z1 + fa3 * v3
                z1 = 2.0 * v1 - z1
                z2 = 2.0 * v2 - z2
                filt = wb * v1 + wh * (x - kd * v1 - v2)
                if clap:
                    if t == b1 or t == b2:
                        e_b += 1.0
                    if t == b3:
                        e_tail = 0.6
                    y += a_noise * (e_b + e_tail) * filt
                    e_b *= d_b
                    e_tail *= d_tail
                else:
                    y += e_n * filt
                    e_n *= d_n
            if a_tone > 0.0:
                ph += (f_lo + (f_hi - f_lo) * e_p) / sr
                if ph >= 1.0:
                    ph -= 1.0
                y += e_t * math.sin(_TWO_PI * ph)
                e_p *= d_p
                e_t *= d_t
            if a_tone2 > 0.0:
                y += e_t2 * os_
                oc, os_ = oc * c2 - os_ * s2w, os_ * c2 + oc * s2w
                e_t2 *= d_t2
            if a_click > 0.0:
                y += e_c * nz
                e_c *= d_c
            # short fade at the cut end so that truncated tails do not click
            rem = length - t
            if rem < 256:
                y *= rem / 256.0
            out[0, s0 + t] += g_l * y
            out[1, s0 + t] += g_r * y
