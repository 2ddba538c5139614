"""Checking an uploaded file by its content: what it is, not what its name or the browser say.

A file's name and its declared Content-Type are chosen by whoever sends it, so neither says
anything: an HTML page or a program renamed "report.pdf" must be refused, and a PDF named
"photo.png" is simply a PDF. `check_upload` reads the file itself:

- a PDF starts with "%PDF-" and has "%%EOF" near its end;
- an image is what Pillow opens and verifies, in one of the allowed formats; an image with
  more pixels than Pillow's Image.MAX_IMAGE_PIXELS (a decompression bomb: a small file that
  would fill the memory when decoded) is refused.

It returns the MIME type found; the caller decides what to do with it (a form puts it on the
upload for the service that stores it).
"""

import warnings

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
DEFAULT_TYPES = (PDF, PNG, JPEG, GIF, WEBP)

# Pillow's format names of the images accepted, by MIME type.
IMAGE_FORMATS = {PNG: "PNG", JPEG: "JPEG", GIF: "GIF", WEBP: "WEBP"}
# Where "%%EOF" may be: the last bytes, after which only line ends and some writers' padding.
PDF_TAIL_BYTES = 1024


def check_upload(upload, *, max_bytes, allowed=DEFAULT_TYPES):
    """The MIME type of `upload` (a Django UploadedFile) judged by its content.

    Raises forms.ValidationError with a message for the person who sent it when the file is
    empty, larger than `max_bytes`, or not one of the `allowed` types. Leaves the file at its
    start, so that it can be stored afterwards.
    """
    name = upload.name or _("the file")
    if upload.size > max_bytes:
        raise forms.ValidationError(
            _("“%(name)s” is %(size)s; a file can be at most %(limit)s."),
            code="too_large",
            params={
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(max_bytes),
            },
        )
    if upload.size == 0:
        raise forms.ValidationError(
            _("“%(name)s” is empty. Choose the file again."), code="empty", params={"name": name}
        )
    try:
        kind = _pdf_type(upload) or _image_type(upload)
    finally:
        upload.seek(0)
    if kind is None or kind not in allowed:
        raise forms.ValidationError(
            _(
                "“%(name)s” is not a PDF or an image (PNG, JPEG, GIF or WebP), whatever its "
                "name says. Save it as a PDF or take a screenshot, and add that instead."
            ),
            code="wrong_type",
            params={"name": name},
        )
    return kind


def _pdf_type(upload):
    upload.seek(0)
    if upload.read(5) != b"%PDF-":
        return None
    upload.seek(max(upload.size - PDF_TAIL_BYTES, 0))
    return PDF if b"%%EOF" in upload.read() else None


def _image_type(upload):
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns up to twice MAX_IMAGE_PIXELS: refuse from the limit itself.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                found = image.format
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise forms.ValidationError(
            _(
                "“%(name)s” is an image of more than %(pixels)s million pixels, too large to "
                "open safely. Make it smaller and add it again."
            ),
            code="too_many_pixels",
            params={"name": upload.name, "pixels": Image.MAX_IMAGE_PIXELS // 1_000_000},
        ) from None
    except Exception:
        # Pillow raises many kinds of errors on what is not an image, or a broken one
        # (UnidentifiedImageError, SyntaxError, OSError, struct.error, ...): all mean "no".
        return None
    for mime, image_format in IMAGE_FORMATS.items():
        if found == image_format:
            return mime
    return None
