"""The gateway: channels, the web chat, the process supervisor and the CLI."""
