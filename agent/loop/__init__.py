"""Closing the loop (issue 17): the commitment ledger, 回访 follow-ups, learning from agents' edits
and the numbers managers ask for. Pure parts (time expressions, extraction, authority, diffs)
take their inputs as values; the store lives in ``agent.workflow.store.loop``."""
