"""The gateway: the ASGI app, the web chat, the inbox worker and the outbox, and the turn through Rasa."""
