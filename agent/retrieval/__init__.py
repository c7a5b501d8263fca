"""The playbook corpus: models, loading, offline Chinese embedding, Chroma index, retrieval, ingest.

Nothing here imports chromadb or litellm at module level; they are imported inside the
functions that need them so `wuye --help` and `wuye corpus search` start fast.
"""
