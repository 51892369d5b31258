"""E-mail (.eml, Outlook .msg): the mail is a document, and each attachment a part.

The mail's own document is its header (från, till, kopia, datum, ämne) and its body
as text; an HTML-only body is read by the HTML extractor. The subject is the title,
the sent date the document date. Every attachment (a PDF, a Word file, a mail sent
on as an attachment) becomes a :class:`Part`, which the pipeline archives as a
document of its own that names the mail it came with. Images that only decorate the
HTML body (inline, in ``multipart/related``) are part of the body, not attachments.

.eml is read with the standard library (``email``, ``policy.default``); .msg (an OLE
compound file) with extract-msg. Outlook's attachments carry no MIME type: the
pipeline decides by the file name and the content, like any file; an embedded
message is exported as a .msg of its own (named by its subject when it has no name).
"""

from __future__ import annotations

import binascii
import email
import logging
import mimetypes
import quopri
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from indexer.clean import normalise_characters
from indexer.extract import MSG, Extracted, ExtractionError, Part, sniff
from indexer.extract.html import html_text

#: The header fields shown at the top of a mail's text, with their Swedish labels.
HEADER_LABELS = (("from", "Från"), ("to", "Till"), ("cc", "Kopia"), ("date", "Datum"), ("subject", "Ämne"))


def extract(path: Path) -> Extracted:
    """A mail: its header and body as text, its attachments as parts."""
    with path.open("rb") as handle:
        content_type = sniff(handle.read(4096), path.name)
    if content_type == MSG:
        header, body, parts = _read_msg(path)
    else:
        header, body, parts = _read_eml(path.read_bytes())
    return mail_document(header, body, parts, content_type)


def mail_document(header: dict[str, Any], body: str, parts: list[Part], content_type: str) -> Extracted:
    """The Extracted of a mail from its header fields, body text and attachments."""
    date: datetime | None = header.get("date")
    shown = {**header, "date": date.strftime("%Y-%m-%d %H:%M") if date else None}
    lines = [f"{label}: {shown[name]}" for name, label in HEADER_LABELS if shown.get(name)]
    if parts:
        lines.append("Bilagor: " + ", ".join(part.name for part in parts))
    text = normalise_characters("\n".join(lines) + "\n\n" + body.strip())
    if not text.strip():
        raise ExtractionError("empty mail: no header, no text")
    metadata: dict[str, Any] = {
        "mail": {name: shown[name] for name, _label in HEADER_LABELS if shown.get(name)}
    }
    if date:
        metadata["document_date"] = date.date().isoformat()
    # A mail without a subject is named by its sender, not by its first header line.
    title = header.get("subject") or (f"E-post från {header['from']}" if header.get("from") else None)
    return Extracted(
        pages=[text], content_type=content_type, title=title, metadata=metadata, parts=parts,
    )


# -- .eml ---------------------------------------------------------------------------


def _read_eml(data: bytes) -> tuple[dict[str, Any], str, list[Part]]:
    message = email.message_from_bytes(data, policy=policy.default)
    header = {
        "from": _addresses(message, "from"),
        "to": _addresses(message, "to"),
        "cc": _addresses(message, "cc"),
        "subject": _one_line(str(message.get("subject") or "")),
        "date": _date(message),
    }
    body_part = message.get_body(preferencelist=("plain", "html"))
    body = _part_text(body_part) if body_part is not None else ""
    names = _Names()
    parts = []
    for attachment in message.iter_attachments():
        parts.append(_eml_part(attachment, names))
    return header, body, parts


def _eml_part(attachment: EmailMessage, names: _Names) -> Part:
    if attachment.get_content_type() == "message/rfc822":
        inner = attachment.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        if not isinstance(inner, EmailMessage):
            return Part(names.add(attachment.get_filename(), "meddelande", ".eml"),
                        problem="attached message cannot be read")
        subject = _one_line(str(inner.get("subject") or attachment.get("subject") or ""))
        name = names.add(attachment.get_filename(), subject or "meddelande", ".eml")
        return Part(name, data=_attached_message_bytes(attachment, inner))
    extension = mimetypes.guess_extension(attachment.get_content_type()) or ""
    name = names.add(attachment.get_filename(), "bilaga", extension)
    data = attachment.get_payload(decode=True)
    if not data:
        return Part(name, problem="empty attachment")
    return Part(name, data=data)


def _attached_message_bytes(attachment: EmailMessage, inner: EmailMessage) -> bytes:
    """An attached message as bytes; some mailers base64-encode it (against RFC 2046),
    and then the "message" the parser saw is the encoded text."""
    encoding = str(attachment.get("content-transfer-encoding") or "").strip().lower()
    if encoding == "base64":
        return binascii.a2b_base64(str(inner.get_payload()))
    if encoding == "quoted-printable":
        return quopri.decodestring(str(inner.get_payload()).encode("ascii", "replace"))
    return inner.as_bytes()


def _part_text(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # an unknown charset: read it as Latin-1
        content = (part.get_payload(decode=True) or b"").decode("latin-1")
    if part.get_content_type() == "text/html":
        return html_text(content)[0]
    return content


def _addresses(message: EmailMessage, name: str) -> str | None:
    values = message.get_all(name) or []
    found = getaddresses([str(v) for v in values])
    shown = [f"{person} <{address}>" if person and address else person or address
             for person, address in found]
    return ", ".join(s for s in shown if s) or None


def _date(message: EmailMessage) -> datetime | None:
    header = message.get("date")
    return getattr(header, "datetime", None) if header is not None else None


# -- .msg ---------------------------------------------------------------------------


def _read_msg(path: Path) -> tuple[dict[str, Any], str, list[Part]]:
    import extract_msg

    logging.getLogger("extract_msg").setLevel(logging.ERROR)
    try:
        message = extract_msg.openMsg(str(path), strict=False)
    except Exception as exc:  # extract-msg raises many kinds for a file it cannot read
        raise ExtractionError(f"not an Outlook message: {_first_line(exc)}") from exc
    try:
        return _msg_contents(message)
    finally:
        message.close()


def _msg_contents(message: Any) -> tuple[dict[str, Any], str, list[Part]]:
    header = {
        "from": _one_line(message.sender or ""),
        "to": _one_line(message.to or ""),
        "cc": _one_line(message.cc or ""),
        "subject": _one_line(message.subject or ""),
        "date": message.date if isinstance(message.date, datetime) else None,
    }
    body = message.body or ""
    if len(body.split()) < 3 and message.htmlBody:
        html = message.htmlBody
        body = html_text(html.decode("utf-8", "replace") if isinstance(html, bytes) else html)[0]
    names = _Names()
    parts = []
    for attachment in getattr(message, "attachments", []):
        data = attachment.data
        if data is not None and not isinstance(data, bytes):  # an embedded message
            subject = _one_line(getattr(data, "subject", "") or "") or "meddelande"
            name = names.add(attachment.name if attachment.name else None, subject, ".msg")
            try:
                parts.append(Part(name, data=data.exportBytes()))
            except Exception as exc:  # noqa: BLE001 - one attachment, one line
                parts.append(Part(name, problem=f"embedded message cannot be read: {_first_line(exc)}"))
            continue
        name = names.add(attachment.name or None, "bilaga", "")
        parts.append(Part(name, data=data) if data else Part(name, problem="empty attachment"))
    return header, body, parts


# -- shared -------------------------------------------------------------------------


class _Names:
    """Attachment names made unique in one mail (two "image001.png" stay two parts) and
    safe as the last piece of a path (no folders)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def add(self, name: str | None, fallback: str, extension: str) -> str:
        name = _one_line(name or "").replace("/", "_").replace("\\", "_").strip(". ")
        if not name:
            name = fallback.replace("/", "_").replace("\\", "_")[:80] + extension
        unique, n = name, 2
        while unique in self.seen:
            stem, dot, suffix = name.rpartition(".")
            unique = f"{stem} ({n}).{suffix}" if dot and stem else f"{name} ({n})"
            n += 1
        self.seen.add(unique)
        return unique


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__
