"""Reporters, conversations and messages: the store, the inbox and the outbox's queues.

Infrastructure for the chat channels (bot/); the case domain (referral/) knows
nothing of it. Message statuses and every change of status live in `statuses`.
"""
