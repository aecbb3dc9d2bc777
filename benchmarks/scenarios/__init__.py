"""The scenarios: each a function of the run's settings returning rows of the table."""
