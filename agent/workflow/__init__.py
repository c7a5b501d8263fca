"""The life of a draft: the typed state, the LangGraph graph (graph.py wires, nodes/ one node per
concern), the draft-set models and the core that creates, reads and decides drafts."""
