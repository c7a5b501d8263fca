"""Workflow nodes, one module per concern: ``async node(state, runtime) -> update``, clients from
``runtime.context`` (agent.workflow.state.WorkflowContext); agent/workflow/graph.py wires them."""
