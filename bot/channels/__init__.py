"""Chat channels: each turns provider payloads into stored inbound messages and sends replies."""
