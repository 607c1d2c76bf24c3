"""Answering-machine detection: detectors, a corpus of real speech, and the benchmark.

Conventions
-----------
- Audio is ``audio : np.ndarray [shape=(n_samples,), dtype=float]`` in [-1, 1]
  with an explicit integer sample rate ``sr`` in Hz (telephone audio: 8000).
- Times are seconds from the start of the audio, which is the moment of answer.
- Labels are ``'human' | 'machine' | 'notsure'``.
"""

# --- audio, channel and corpus (amd.audio, amd.channel, amd.corpus) ---
from amd.audio import AudioError, check_audio, float_to_int16, frames, int16_to_float, load_audio
from amd.channel import TelephoneChannel
from amd.corpus import CorpusError, build_corpus

# --- detectors, metrics and benchmark ---

__all__: list[str] = [
    "AudioError",
    "CorpusError",
    "TelephoneChannel",
    "build_corpus",
    "check_audio",
    "float_to_int16",
    "frames",
    "int16_to_float",
    "load_audio",
]
