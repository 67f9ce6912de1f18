"""Webhook intake: signature check, receipts (dedupe), topic registry."""
