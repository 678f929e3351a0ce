"""The scripts that build, train and export the committed models (``python -m export``; see ``__main__.py``)."""

import os

# Set before any script imports torch (OpenMP reads it once, when torch loads). With OpenMP's default
# spin-waiting, torch's 2 threads on 2 cores that other jobs were also using ran a training step of
# export/triplet_glyphs.py in 2.3 s; with sleeping idle threads, 0.38 s (measured on this machine).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
