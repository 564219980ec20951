"""The 8 sales activity types SIA logs to Marketo (A-TO-MARKETO), and their attributes.

Names and attributes follow the Sales Insight Actions activity glossary (A-ATTRIBUTES).
SIA looks the ids up by name in Marketo's ``types.json``: they are not published.
"""

from __future__ import annotations

SEND_EMAIL = "Send Sales Email"
OPEN_EMAIL = "Open Sales Email"
CLICK_EMAIL = "Click Sales Email"
REPLIED = "Replied to Sales Email"
BOUNCED = "Sales Email Bounced"
CALL = "Sales Call Received"
ADD_TO_CAMPAIGN = "Add to Sales Campaign"
REMOVED_FROM_CAMPAIGN = "Removed from Sales Campaign"

SALES_TYPES = (SEND_EMAIL, OPEN_EMAIL, CLICK_EMAIL, REPLIED, BOUNCED, CALL, ADD_TO_CAMPAIGN,
               REMOVED_FROM_CAMPAIGN)
SOURCE = "Sales App"
CALL_STATUSES = ("completed", "no answer", "cancelled", "failed")

#: Email events a seller records, and the activity each logs.
EMAIL_EVENTS = {"open": OPEN_EMAIL, "click": CLICK_EMAIL, "reply": REPLIED, "bounce": BOUNCED}
