"""The officers' desk: the Telegram front-end, its wording, and the web console."""
