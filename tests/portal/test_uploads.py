"""Uploads are judged by their content (portal.uploads), never by their name or declared type."""

import io

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portal.uploads import check_upload

MB = 1024 * 1024

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def image_bytes(image_format, size=(8, 6)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=image_format)
    return buffer.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def refusal(file, **kwargs):
    with pytest.raises(forms.ValidationError) as caught:
        check_upload(file, max_bytes=kwargs.pop("max_bytes", 10 * MB), **kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("image_format", "mime"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
def test_a_real_image_is_accepted_as_its_type(image_format, mime):
    file = upload(f"foto.{image_format.lower()}", image_bytes(image_format))
    assert check_upload(file, max_bytes=MB) == mime
    assert file.tell() == 0  # left at its start, ready to be stored


def test_a_real_pdf_is_accepted():
    assert check_upload(upload("verslag.pdf", MINIMAL_PDF), max_bytes=MB) == "application/pdf"


def test_a_pdf_named_png_is_a_pdf():
    file = upload("screenshot.png", MINIMAL_PDF, content_type="image/png")
    assert check_upload(file, max_bytes=MB) == "application/pdf"


def test_a_png_named_pdf_is_a_png():
    file = upload("brief.pdf", image_bytes("PNG"), content_type="application/pdf")
    assert check_upload(file, max_bytes=MB) == "image/png"


@pytest.mark.parametrize(
    ("name", "content", "declared"),
    [
        ("x.pdf", b"<!doctype html><script>alert(1)</script>", "application/pdf"),
        ("y.png", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "image/png"),
        ("z.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg"),
        ("notes.pdf", b"just some text", "application/pdf"),
    ],
)
def test_a_disguised_file_is_refused_whatever_its_name_and_declared_type(name, content, declared):
    error = refusal(upload(name, content, declared))
    assert error.code == "wrong_type"
    assert name in str(error.messages) and "not a PDF or an image" in error.messages[0]


def test_a_pdf_without_its_end_is_refused():
    truncated = MINIMAL_PDF.replace(b"%%EOF", b"") + b"0" * 5000
    assert refusal(upload("half.pdf", truncated)).code == "wrong_type"


def test_a_pdf_whose_end_marker_is_far_from_the_end_is_refused():
    appended = MINIMAL_PDF + b"<html>" * 1000
    assert refusal(upload("appended.pdf", appended)).code == "wrong_type"


def test_a_broken_png_is_refused():
    content = bytearray(image_bytes("PNG"))
    content[40:50] = b"\x00" * 10  # damage the image data: its checksum no longer matches
    assert refusal(upload("broken.png", bytes(content))).code == "wrong_type"


def test_an_image_in_another_format_is_refused():
    assert refusal(upload("scan.bmp", image_bytes("BMP"))).code == "wrong_type"


def test_a_type_that_is_not_allowed_is_refused():
    error = refusal(upload("foto.png", image_bytes("PNG")), allowed=("application/pdf",))
    assert error.code == "wrong_type"


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    error = refusal(upload("groot.pdf", MINIMAL_PDF + b" " * 2000), max_bytes=1000)
    assert error.code == "too_large"
    assert "groot.pdf" in error.messages[0] and "at most 1000\xa0bytes" in error.messages[0]


def test_an_empty_file_is_refused():
    assert refusal(upload("leeg.pdf", b"")).code == "empty"


def test_a_decompression_bomb_is_refused(monkeypatch):
    # A small file with more pixels than Pillow's limit: lower the limit instead of making
    # a file of hundreds of megapixels.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    file = upload("bom.png", image_bytes("PNG", size=(200, 100)))
    assert file.size < 10_000
    assert refusal(file).code == "too_many_pixels"


def test_an_image_within_the_pixel_limit_is_accepted(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    assert check_upload(upload("klein.png", image_bytes("PNG", (100, 100))), max_bytes=MB)
