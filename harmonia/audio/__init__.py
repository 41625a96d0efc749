"""Audio rendering and analysis (optional extra ``audio``).

Nothing is implemented here yet; rendering, mixing and the audio front end arrive with the audio
issue.  Importing this package never imports librosa or soundfile.
"""
