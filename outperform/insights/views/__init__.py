"""Pages of the insights app: dashboards, reports, report schedules and the background-jobs page."""
