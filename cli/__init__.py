"""The ``wuye`` command: an adapter above ``agent/``, ``api/`` and ``evals/`` (see cli/main.py)."""
