"""SLA: working time (pure), ticket due times and status."""
