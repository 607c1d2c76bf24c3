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
# isort: split
from amd.answer_mix import DEFAULT_ANSWER_MIX, AnswerMixError, read_answer_mix
from amd.benchmark import AmdBenchmarkConfig, BenchmarkError, run_benchmark, train_from_corpus
from amd.costs import DEFAULT_AGENT_TIMES, AgentTimes, call_costs, cost_figures
from amd.detectors import (
    DETECTOR_NAMES,
    AsteriskAmd,
    BeepDetector,
    Decision,
    Detector,
    LearnedDetector,
    VadDetector,
    WordsDetector,
    find_beeps,
    make_detector,
)

__all__: list[str] = [
    "AgentTimes",
    "AmdBenchmarkConfig",
    "AnswerMixError",
    "AsteriskAmd",
    "AudioError",
    "BeepDetector",
    "BenchmarkError",
    "CorpusError",
    "DEFAULT_AGENT_TIMES",
    "DEFAULT_ANSWER_MIX",
    "DETECTOR_NAMES",
    "Decision",
    "Detector",
    "LearnedDetector",
    "TelephoneChannel",
    "VadDetector",
    "WordsDetector",
    "build_corpus",
    "call_costs",
    "check_audio",
    "cost_figures",
    "find_beeps",
    "float_to_int16",
    "frames",
    "int16_to_float",
    "load_audio",
    "make_detector",
    "read_answer_mix",
    "run_benchmark",
    "train_from_corpus",
]
