"""Rasa SDK custom actions: thin adapters from the dialogue to referral/."""
