"""Raw material for the AMD corpus: recorded prompts, synthesised speech and generated tones.

Conventions
-----------
- Every signal is ``np.ndarray [shape=(n_samples,), dtype=float64]`` at ``SR = 8000`` Hz.
- Speech elements are trimmed to their active region, so an element placed at ``t`` seconds
  starts speaking at ``t`` (this is what makes the speech-onset labels exact).
- Levels: ``*_dbfs`` is the RMS over active 20 ms frames, relative to full scale.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from amd.audio import AudioError, load_audio
from amd.channel import active_level_db

SR = 8000
#: Where Debian's asterisk-core-sounds-en-wav installs the prompts (Allison Smith's recordings);
#: ``en`` is the symlink the asterisk package adds.
ASTERISK_DIRS = (Path("/usr/share/asterisk/sounds/en_US_f_Allison"), Path("/usr/share/asterisk/sounds/en"))
ASTERISK_PACKAGE = "asterisk-core-sounds-en-wav"
ESPEAK_PACKAGE = "espeak-ng"
_TRIM_MARGIN_DB = 40.0  # 10 ms frames this far below the loudest frame count as silence at the edges


class CorpusError(ValueError):
    """The corpus cannot be built: a missing tool, a bad argument or an existing output."""


def find_asterisk_dir() -> Path:
    """The directory of the Asterisk English prompts, or a CorpusError naming the package."""
    for directory in ASTERISK_DIRS:
        if (directory / "hello.wav").is_file():
            return directory
    raise CorpusError(
        f"Asterisk prompts not found in {' or '.join(map(str, ASTERISK_DIRS))}; "
        f"install the Debian package {ASTERISK_PACKAGE} (apt-get install {ASTERISK_PACKAGE})."
    )


def require_espeak() -> str:
    """Path of the espeak-ng executable, or a CorpusError naming the package."""
    path = shutil.which("espeak-ng")
    if path is None:
        raise CorpusError(
            f"espeak-ng not found on PATH; install the Debian package {ESPEAK_PACKAGE} (apt-get install {ESPEAK_PACKAGE})."
        )
    return path


def tool_versions() -> dict[str, str]:
    """Versions of the external sources, for the corpus manifest."""
    espeak = subprocess.run([require_espeak(), "--version"], capture_output=True, text=True, check=True)
    dpkg = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", ASTERISK_PACKAGE],
        capture_output=True,
        text=True,
        check=False,
    )
    return {
        "espeak-ng": espeak.stdout.strip(),
        ASTERISK_PACKAGE: dpkg.stdout.strip() if dpkg.returncode == 0 else "unknown (not installed via dpkg)",
        "soundfile/libsndfile": f"{sf.__version__}/{sf.__libsndfile_version__}",
    }


def trim(audio: np.ndarray) -> np.ndarray:
    """Cut leading and trailing 10 ms frames more than 40 dB below the loudest frame."""
    n = SR // 100
    n_frames = audio.size // n
    energy = np.mean(audio[: n_frames * n].reshape(n_frames, n) ** 2, axis=1)
    active = np.flatnonzero(energy >= energy.max() * 10.0 ** (-_TRIM_MARGIN_DB / 10.0))
    return audio[active[0] * n : (active[-1] + 1) * n].copy()


def set_level(audio: np.ndarray, level_dbfs: float) -> np.ndarray:
    """Scale ``audio`` so its active level is ``level_dbfs``."""
    return audio * 10.0 ** ((level_dbfs - active_level_db(audio, SR)) / 20.0)


class Renderer:
    """Loads prompts and runs the synthesiser, caching results for one corpus build."""

    def __init__(self) -> None:
        self.sounds_dir = find_asterisk_dir()
        self.espeak = require_espeak()
        self._cache: dict[tuple, np.ndarray] = {}

    def prompt(self, name: str) -> np.ndarray:
        """An Asterisk prompt (``'hello'``, ``'digits/7'``), trimmed, at 8 kHz."""
        key = ("prompt", name)
        if key not in self._cache:
            audio, _, notes = load_audio(self.sounds_dir / f"{name}.wav", sr=SR)
            if notes:  # the package ships 8 kHz mono; anything else means a different package
                raise CorpusError(
                    f"prompt {name}.wav needed conversion ({'; '.join(notes)}); expected 8 kHz mono."
                )
            self._cache[key] = trim(audio)
        return self._cache[key]

    def speak(self, text: str, *, voice: str, speed_wpm: int, pitch: int) -> np.ndarray:
        """Synthesise ``text`` with espeak-ng, resample 22050 -> 8000 Hz, trim.

        Resampling uses ``scipy.signal.resample_poly(x, 160, 441)`` (polyphase anti-aliasing FIR),
        the exact ratio 8000/22050.
        """
        key = ("speak", text, voice, speed_wpm, pitch)
        if key not in self._cache:
            cmd = [self.espeak, "-v", voice, "-s", str(speed_wpm), "-p", str(pitch), "--stdout", text]
            try:
                result = subprocess.run(cmd, capture_output=True, check=True, timeout=60)
                audio, file_sr = sf.read(io.BytesIO(result.stdout), dtype="float64")
            except (subprocess.SubprocessError, sf.LibsndfileError, OSError) as exc:
                raise CorpusError(f"espeak-ng failed for voice {voice!r} and text {text!r}: {exc}") from exc
            if file_sr != 22050:
                raise CorpusError(f"espeak-ng produced {file_sr} Hz audio; expected 22050 Hz.")
            self._cache[key] = trim(resample_poly(audio, 160, 441))
        return self._cache[key]


def tone(freq_hz: float, duration_s: float, *, level_dbfs: float, ramp_s: float = 0.005) -> np.ndarray:
    """A sine tone with raised-cosine on/off ramps (no clicks), RMS ``level_dbfs``."""
    n = int(round(duration_s * SR))
    t = np.arange(n) / SR
    y = np.sqrt(2.0) * 10.0 ** (level_dbfs / 20.0) * np.sin(2 * np.pi * freq_hz * t)
    n_ramp = min(int(ramp_s * SR), n // 2)
    if n_ramp > 0:
        ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(n_ramp) / n_ramp)
        y[:n_ramp] *= ramp
        y[n - n_ramp :] *= ramp[::-1]
    return y


def sit_tones(*, level_dbfs: float) -> np.ndarray:
    """Special information tones before an intercept message (ITU-T E.180 / Telcordia SIT).

    Three rising tones of about 913.8, 1370.6 and 1776.7 Hz lasting 274, 274 and 380 ms (the
    "vacant code" pattern), followed by 50 ms of silence.
    """
    parts = [tone(f, d, level_dbfs=level_dbfs) for f, d in ((913.8, 0.274), (1370.6, 0.274), (1776.7, 0.380))]
    return np.concatenate([*parts, np.zeros(int(0.05 * SR))])


def fax_answer(
    variant: str, duration_s: float, *, level_dbfs: float, rng: np.random.Generator
) -> tuple[np.ndarray, float]:
    """Fax or modem tones heard after answer; returns (signal, tone_start_s).

    - ``ced``: ITU-T T.30 called-terminal identification, 2100 Hz for 2.6-4 s after 1.8-2.5 s
      of silence, then 75 ms silence and V.21 channel-2 HDLC flags (FSK at 300 bit/s, mark
      1650 Hz, space 1850 Hz, flag 0x7E).
    - ``ansam``: ITU-T V.8 ANSam, 2100 Hz amplitude-modulated at 15 Hz (20 %), with phase
      reversals every 450 ms (V.25 echo-canceller disable).
    - ``cng``: ITU-T T.30 calling tone, 1100 Hz, 0.5 s on / 3 s off (a fax device that calls back
      or a fax-to-fax bridge).
    """
    n = int(round(duration_s * SR))
    out = np.zeros(n)
    amp = np.sqrt(2.0) * 10.0 ** (level_dbfs / 20.0)
    if variant == "cng":
        start_s = float(rng.uniform(0.2, 1.5))
        for on_s in np.arange(start_s, duration_s, 3.5):
            burst = tone(1100.0, min(0.5, duration_s - on_s), level_dbfs=level_dbfs)
            i = int(on_s * SR)
            out[i : i + burst.size] = burst[: n - i]
        return out, start_s
    start_s = float(rng.uniform(1.8, 2.5)) if variant == "ced" else float(rng.uniform(0.2, 1.0))
    i0 = int(start_s * SR)
    t = np.arange(n - i0) / SR
    if variant == "ced":
        ced_s = float(rng.uniform(2.6, 4.0))
        sig = np.where(t < ced_s, amp * np.sin(2 * np.pi * 2100.0 * t), 0.0)
        v21_start = ced_s + 0.075
        bits = np.tile(np.array([0, 1, 1, 1, 1, 1, 1, 0]), 400)  # 0x7E, LSB first (symmetric)
        bit_idx = np.clip(((t - v21_start) * 300.0).astype(int), 0, bits.size - 1)
        freq = np.where(bits[bit_idx] == 1, 1650.0, 1850.0)
        phase = 2 * np.pi * np.cumsum(freq) / SR  # continuous-phase FSK
        sig = np.where(t >= v21_start, amp * np.sin(phase), sig)
    elif variant == "ansam":
        reversals = np.floor(t / 0.45) % 2 * np.pi
        sig = (
            amp * (1 + 0.2 * np.sin(2 * np.pi * 15.0 * t)) / 1.02 * np.sin(2 * np.pi * 2100.0 * t + reversals)
        )
    else:
        raise CorpusError(f"fax `variant` must be 'ced', 'ansam' or 'cng'; got {variant!r}.")
    out[i0:] = sig
    return out, start_s


def breath(*, level_dbfs: float, rng: np.random.Generator) -> np.ndarray:
    """A breath-like burst: band-limited noise (300-2000 Hz) under a smooth 0.3-0.7 s envelope."""
    n = int(round(rng.uniform(0.3, 0.7) * SR))
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1.0 / SR)
    spectrum[(freqs < 300) | (freqs > 2000)] = 0.0
    noise = np.fft.irfft(spectrum, n=n) * np.hanning(n)
    return noise * 10.0 ** (level_dbfs / 20.0) / np.sqrt(np.mean(noise**2))


def check_prompt_exists(sounds_dir: Path, name: str) -> None:
    """Raise a CorpusError if a prompt the corpus needs is missing from the package."""
    if not (sounds_dir / f"{name}.wav").is_file():
        raise CorpusError(f"prompt {name}.wav missing from {sounds_dir}; reinstall {ASTERISK_PACKAGE}.")


__all__ = ["AudioError", "CorpusError", "Renderer", "SR"]
