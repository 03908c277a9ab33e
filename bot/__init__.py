"""The gateway's package: the app and its channels, the officers' desk, scheduled duties, the CLI and the supervisor."""
