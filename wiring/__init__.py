"""Wiring shared by the gateway, the action server and the CLI: settings, bootstrap, logging. No web or chat framework."""
