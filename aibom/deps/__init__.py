"""The dependency gate: find the dependencies a change adds and check them against registries."""
