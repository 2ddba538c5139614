"""Monitoring's writes, one module per part: agenda (activities and progress updates),
figures (values, rounds, approval, reminders) and monitors (the biennial report)."""
