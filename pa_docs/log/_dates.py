"""The case log's business-day rules: follow up after 3 business days, escalate after 5.

Business-day arithmetic itself lives in ``pa_docs._business_days`` (shared with appeal deadlines).
"""

from .._business_days import (
    add_business_days,
    business_days_between,
    is_business_day,
    previous_business_day,
)

FOLLOW_UP_DAYS = 3
ESCALATE_DAYS = 5

__all__ = [
    "ESCALATE_DAYS",
    "FOLLOW_UP_DAYS",
    "add_business_days",
    "business_days_between",
    "is_business_day",
    "previous_business_day",
]
