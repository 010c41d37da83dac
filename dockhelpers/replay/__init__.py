"""Binder replay: notebooks run top to bottom without an engine, showing what a real engine said.

- :mod:`~dockhelpers.replay.recording`: the recording format, normalisation and matching.
- :mod:`~dockhelpers.replay.session`: a kernel switching to replay (endpoint, names, the Korean banner).
- :mod:`~dockhelpers.replay.compact`: ``make record``'s last step (raw recordings -> ``notebooks/recordings``).
- :mod:`dockhelpers.endpoint.replay`: the endpoint answering from a recording.
"""
