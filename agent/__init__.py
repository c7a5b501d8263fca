"""wuye-copilot: reply drafting for property-management (物业) customer service.

Process-wide safety defaults are set here, before any third-party import can read
them: litellm must not fetch its remote cost map, its async calls must go through
httpx (so respx sees them), and no library may send telemetry.
"""

import os

for _key, _value in {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "DISABLE_AIOHTTP_TRANSPORT": "True",
    "ANONYMIZED_TELEMETRY": "False",
    "CHROMA_TELEMETRY": "False",
    "HF_HUB_OFFLINE": "1",
    "OTEL_SDK_DISABLED": "true",
    "GUARDRAILS_DISABLE_TELEMETRY": "true",
}.items():
    os.environ.setdefault(_key, _value)

__version__ = "0.1.0"
