"""Copy the user guide's pictures from the browser journeys' screenshots.

`make docs-screenshots` runs the journeys (tests/browser/), which photograph every step
into artifacts/screenshots/<module>__<test>/<nn>-<step>.png, then runs this script: it
copies the steps listed in `PICTURES` to docs/huong-dan/anh/<name>.png, the names the
guides use. A picture taller than its `height` keeps only its top part (a phone screen
or two), so that a long page stays readable in the guide.

After regenerating, look at the pictures: a page that changed may need another step or
another height here, and the guide's words may need to follow.
"""
from __future__ import annotations

import struct
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
TARGET = Path(__file__).resolve().parent / "anh"

JOURNEYS = "test_journeys__"
FILES = JOURNEYS + "test_relative_files_a_request_from_the_qr_link"
TRACKS = JOURNEYS + "test_resident_tracks_the_request_and_sees_the_volunteer_and_the_time"
LOGS = JOURNEYS + "test_volunteer_logs_outcomes_and_one_attendee_needs_a_follow_up"
COVERAGE = JOURNEYS + "test_coverage_and_the_ward_roll_up_follow_the_outcomes_and_the_export_opens"
REGISTERS = "test_register_volunteer__test_registration_errors_sit_beside_their_fields_and_focus_goes_to_the_first"
SIGNS_IN = "test_login__test_leader_signs_in_through_the_form_with_htmx"


@dataclass(frozen=True)
class Picture:
    name: str            # docs/huong-dan/anh/<name>.png
    test: str            # the folder the journey's screenshots are in
    step: str            # the step's name given to `shot()`
    height: int | None = None  # keep only this many pixels from the top


PICTURES = (
    # người dân
    Picture("xin-ho-tro", FILES, "request-form-from-qr-link", height=1500),
    Picture("xin-ho-tro-da-dien", FILES, "request-form-filled"),
    Picture("ma-theo-doi", FILES, "tracking-code"),
    Picture("theo-doi", TRACKS, "tracking-form"),
    Picture("tinh-trang-yeu-cau", TRACKS, "tracking-shows-volunteer-and-time", height=1300),
    # tình nguyện viên
    Picture("dang-ky-xong", REGISTERS, "registered"),
    Picture("yeu-cau-gan-ban", TRACKS, "requests-near-you", height=1300),
    Picture("da-nhan-yeu-cau", TRACKS, "accepted", height=1350),
    Picture("de-xuat-lich", TRACKS, "proposal-filled", height=1150),
    Picture("ghi-ket-qua", LOGS, "outcomes-filled", height=1350),
    # tổ trưởng
    Picture("dang-nhap", SIGNS_IN, "login-form"),
    Picture("tao-lop-hoc", LOGS, "class-form-filled"),
    Picture("moi-nguoi-dan", LOGS, "three-waiting-requests"),
    Picture("lich-to", LOGS, "calendar-shows-the-class"),
    Picture("do-bao-phu", COVERAGE, "coverage-after", height=1500),
    # cán bộ phường
    Picture("tong-hop-phuong", COVERAGE, "ward-roll-up-after", height=1500),
)


# --- PNG: keep the top rows -----------------------------------------------------------------
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type -> samples per pixel


def _chunks(data: bytes):
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    at = len(PNG_SIGNATURE)
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        yield kind, data[at + 8:at + 8 + length]
        at += 12 + length


def _chunk(kind: bytes, body: bytes) -> bytes:
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))


def keep_top(png: bytes, height: int) -> bytes:
    """The picture's first `height` rows (the whole picture when it is not taller).

    Each row of a PNG is filtered against the rows above it only, so the first rows of
    the decompressed image data are a valid image on their own: no pixel is decoded.
    """
    chunks = list(_chunks(png))
    header = next(body for kind, body in chunks if kind == b"IHDR")
    width, full, depth, colour, _compression, _filter, interlace = struct.unpack(
        ">IIBBBBB", header)
    if full <= height:
        return png
    if interlace:
        raise ValueError("interlaced PNG: cannot keep the top rows without decoding")
    row = 1 + (width * CHANNELS[colour] * depth + 7) // 8  # the filter byte, then the samples
    pixels = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    out = [PNG_SIGNATURE, _chunk(b"IHDR", struct.pack(">II", width, height) + header[8:])]
    for kind, body in chunks:
        if kind == b"IDAT":
            if pixels is not None:
                out.append(_chunk(b"IDAT", zlib.compress(pixels[:row * height], 9)))
                pixels = None
        elif kind != b"IHDR":
            out.append(_chunk(kind, body))
    return b"".join(out)


def source_of(picture: Picture) -> Path:
    found = sorted((SCREENSHOTS / picture.test).glob(f"[0-9][0-9]-{picture.step}.png"))
    if not found:
        raise SystemExit(f"No screenshot '{picture.step}' in {SCREENSHOTS / picture.test}: "
                         "run `make docs-screenshots` (it runs the browser journeys first).")
    return found[-1]


def main() -> int:
    TARGET.mkdir(exist_ok=True)
    wanted = {f"{p.name}.png" for p in PICTURES}
    for old in TARGET.glob("*.png"):
        if old.name not in wanted:
            old.unlink()
    for picture in PICTURES:
        data = source_of(picture).read_bytes()
        if picture.height:
            data = keep_top(data, picture.height)
        (TARGET / f"{picture.name}.png").write_bytes(data)
        print(f"anh/{picture.name}.png  <- {picture.test}/{picture.step}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
