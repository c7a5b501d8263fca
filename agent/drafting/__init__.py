"""Writing the six stage drafts: the typed ``DraftRequest`` (request.py), the versioned prompt
templates (prompts.py), model access (model.py; usage.py counts model calls, tokens and cost) and the embedded
offline drafter (offline/), which takes the same ``DraftRequest`` a prompt is rendered from."""
