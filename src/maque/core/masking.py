"""Masking of personal data (design §6): phone numbers and resident ID numbers.

One rule everywhere — people records, free text, exports: a phone number keeps its first three
and last four digits (138****1234), an ID number its first six and last four characters
(610924********123X). Whether a reader sees the data unmasked is decided by the reader's role
(`Actor.masks_personal_data`), not here.
"""

from __future__ import annotations

import re

# Mobile phone numbers and resident ID numbers inside free text, not inside longer digit runs.
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_ID_NUMBER_IN_TEXT = re.compile(r"(?<![0-9Xx])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9Xx])")


def mask_phone(phone: str) -> str:
    """138****1234: the first three and the last four characters of a phone number, the rest as
    stars (as many as were hidden); a short number keeps only its last two."""
    phone = phone.strip()
    if not phone:
        return ""
    if len(phone) >= 8:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * max(len(phone) - 2, 1) + phone[-2:]


def mask_id_number(number: str) -> str:
    """610924********123X: the first six and the last four characters of an ID number."""
    number = number.strip()
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_text(text: str) -> str:
    """Free text with every phone and ID number in it masked."""
    text = _ID_NUMBER_IN_TEXT.sub(lambda m: m.group(1) + "********" + m.group(3), text)
    return _PHONE_IN_TEXT.sub(lambda m: m.group(1) + "****" + m.group(3), text)


def mask_name(name: str) -> str:
    """张** / 欧阳*: a person's name with its first character only, the rest as stars."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)
