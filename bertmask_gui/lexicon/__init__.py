"""What is known about words without a model: plain Python, no torch, no Qt.

The engine's rankings (the draft checker, constrained masks) and the UI (word facts
beside a candidate) ask this package; it imports neither of them. Its data files live
in ``resources/lexicon/`` (found with :func:`bertmask_gui.lexicon.data.data_path`), and
each one's licence is a file in ``resources/licenses/`` that the third-party notices
of every package include.

Modules:

- ``data``: where the data files are (a checkout, a wheel, a frozen app).
- ``words``: the English word list and word frequencies (wordfreq).
- ``edits``: words within one or two edits of a spelling.
- ``confusions``: curated groups of commonly confused words.
- ``user_dictionary``: the writer's own words (added from the checker, editable).
- ``pronunciations``: CMU Pronouncing Dictionary: phones, syllables, rhymes.
- ``glosses``: WordNet 3.0 glosses and morphology (lemmas of inflected forms).
"""
