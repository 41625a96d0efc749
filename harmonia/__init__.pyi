from harmonia import audio as audio
from harmonia import display as display
from harmonia import errors as errors
from harmonia import neural as neural
from harmonia import symbolic as symbolic
from harmonia import theory as theory
from harmonia import workflows as workflows
from harmonia.symbolic.analysis import Analysis as Analysis
from harmonia.symbolic.analysis import analyze as analyze
from harmonia.symbolic.io import load as load
from harmonia.symbolic.music21io import from_music21 as from_music21
from harmonia.symbolic.score import Score as Score
from harmonia.symbolic.score import Track as Track
from harmonia.theory.notearray import NOTE_DTYPE as NOTE_DTYPE
from harmonia.theory.notearray import as_note_array as as_note_array

__version__: str
