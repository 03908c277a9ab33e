"""The helpline's domain: cases, facilities, routing, gazetteer, messages.

Imports no web or chat framework; the edges (bot/, actions/) call into it.
"""
