"""wuye-copilot: reply drafting for property-management (物业) customer service.

Process-wide safety defaults are set here, before any third-party import can read
them: litellm must not fetch its remote cost map, its async calls must go through
httpx (so respx sees them), and no library may send telemetry.

jsonschema (pulled in by guardrails-ai and chromadb) imports the optional IRI format checker
``rfc3987_syntax`` when it is installed, which compiles a Lark grammar at import: 1–12 s of a
command's start-up here (``bench/bench_cli.py``). Nothing in this project validates IRI formats,
so it is marked absent (jsonschema then simply skips that one format).
"""

import os
import sys

if "rfc3987_syntax" not in sys.modules and "jsonschema" not in sys.modules:
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # import -> ImportError, skipped by jsonschema

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
