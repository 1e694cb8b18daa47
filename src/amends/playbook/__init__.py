"""The workspace's policy, read by every domain: steps, SLA targets, business hours, and
the compensation and pattern policies. It sits below the domains, so none of them has
to import another domain to learn how the workspace wants cases handled."""
