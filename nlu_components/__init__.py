"""Custom Rasa NLU components, imported by the engine env (Python 3.10, Rasa 3.6).

Keep this package free of our app code's dependencies: only Rasa and the
standard library are available where it runs.
"""
