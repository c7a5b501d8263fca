"""HTTP API of wuye-copilot: a thin FastAPI adapter over ``agent.workflow.core.DraftCore`` — API-key
auth (``api.auth``, ``api.deps``), limits, routes, metrics, offline ``/docs``, and the supervisor
console (``api.console``). Entry point: ``api.app.create_app(settings, core=None)``.
"""
