"""Tests of lifecycles: definitions, guards, machines, hooks, diagrams and YAML."""
