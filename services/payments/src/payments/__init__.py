"""Payments service: charges orders through Stripe and refunds payments that raced expiry."""
