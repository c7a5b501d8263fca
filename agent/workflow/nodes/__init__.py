"""Workflow nodes, one module per concern. Each node is ``node(state, runtime) -> update`` and
takes its clients from ``runtime.context`` (agent.workflow.state.WorkflowContext); graph.py wires them."""
