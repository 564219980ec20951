"""Reading the IDs clients send: 15 or 18 characters, in any case an 18-character ID allows."""

from __future__ import annotations

from fixtures.sfid import checksum, normalize

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def repair_id(value: str) -> str | None:
    """An ID in its 18-character form: 15-character IDs get their checksum, and an
    18-character ID typed in the wrong case is set right by its checksum, as Salesforce
    does. None when the text is not an ID at all."""
    if not isinstance(value, str):
        return None
    normal = normalize(value)
    if normal is not None or len(value) != 18 or not value.isalnum():
        return normal
    suffix = value[15:].upper()
    if any(ch not in _ALPHABET for ch in suffix):
        return None
    chars = list(value[:15])
    for chunk, ch in enumerate(suffix):
        bits = _ALPHABET.index(ch)
        for i in range(5):
            j = chunk * 5 + i
            if chars[j].isalpha():
                chars[j] = chars[j].upper() if bits >> i & 1 else chars[j].lower()
    fixed = "".join(chars)
    return fixed + checksum(fixed) if checksum(fixed) == suffix else None
