"""Local token checks: key sets, the RBAC policy, background refresh, JWT steps."""
