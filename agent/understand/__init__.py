"""Understanding a complaint: its script (简/繁), personal data (masked), classification and specifics.

``script`` detects and converts 简/繁, ``pii`` masks personal data, ``classify`` gives the
category / severity / urgency / mindset / escalation, ``specifics`` and ``facts`` pull out what,
where and since when. Nothing here imports retrieval, drafting or the workflow.
"""
