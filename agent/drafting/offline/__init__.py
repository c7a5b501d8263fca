"""Building blocks of the embedded offline drafter (see agent/drafting/offline/drafter.py).

``facts`` turns a complaint into the facts a reply can use, ``fit`` decides which playbook phrasings
suit this complaint, ``templates`` holds our own sentence banks, ``questions`` picks the ask-stage
questions, ``compose`` writes the six stages.
"""
