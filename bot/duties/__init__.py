"""Scheduled and background duties: alerts, the weekly digest, the scheduler, tracker retention."""
