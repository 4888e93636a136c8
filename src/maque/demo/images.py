"""Evidence photos for the demo: small JPEGs drawn with Pillow, a field scene with a caption.

The caption imitates a field camera's watermark (item code, time, position). A CJK font is used
when the machine has one; otherwise the caption stays in ASCII.
"""

from __future__ import annotations

import io
import random
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 480, 360
_CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)


@lru_cache(maxsize=1)
def _fonts() -> tuple[
    ImageFont.ImageFont | ImageFont.FreeTypeFont, ImageFont.ImageFont | ImageFont.FreeTypeFont, bool
]:
    for candidate in _CJK_FONTS:
        if Path(candidate).exists():
            try:
                return ImageFont.truetype(candidate, 18), ImageFont.truetype(candidate, 13), True
            except OSError:
                continue
    return ImageFont.load_default(), ImageFont.load_default(), False


def _scene(draw: ImageDraw.ImageDraw, rng: random.Random, category: str, after: bool) -> None:
    # Sky, a ridge of hills, then the field in rows.
    for y in range(0, 150):
        shade = 200 + y // 3
        draw.line([(0, y), (WIDTH, y)], fill=(150 + y // 3, min(shade, 235), 245))
    ridge = (
        [(0, 150)]
        + [(x, 95 + rng.randint(0, 40)) for x in range(0, WIDTH + 60, 60)]
        + [(WIDTH, 150)]
    )
    draw.polygon(ridge, fill=(58, 94, 62))
    field_colour = (96, 150, 70) if after else (150, 128, 80)
    draw.rectangle([0, 150, WIDTH, HEIGHT], fill=field_colour)
    for row in range(12):
        y = 160 + row * 16
        colour = (70, 125, 55) if after else (120, 104, 66)
        draw.line([(0, y), (WIDTH, y + rng.randint(-6, 6))], fill=colour, width=3)
    if not after:
        # Weeds, rubble: the problem.
        for _ in range(40):
            x, y = rng.randint(0, WIDTH), rng.randint(160, HEIGHT - 60)
            draw.ellipse([x, y, x + rng.randint(6, 18), y + rng.randint(4, 10)], fill=(104, 96, 72))
    if category == "greenhouse":
        left = 120
        draw.pieslice(
            [left, 110, left + 240, 270], 180, 360, fill=(225, 232, 236), outline=(160, 170, 176)
        )
        if not after:
            draw.rectangle([left + 80, 150, left + 160, 190], fill=(170, 90, 70))
    elif category == "grave":
        if after:
            draw.ellipse([200, 175, 290, 215], fill=(80, 140, 66))
        else:
            draw.rectangle([205, 160, 285, 210], fill=(170, 170, 170))
            draw.rectangle([235, 135, 255, 165], fill=(120, 120, 120))
    elif category == "collective-contract":
        draw.rectangle([150, 60, 330, 300], fill=(250, 250, 245), outline=(180, 180, 170))
        for line in range(10):
            draw.line([(170, 90 + line * 18), (310, 90 + line * 18)], fill=(150, 150, 150), width=2)
        if after:
            draw.ellipse([260, 240, 310, 290], outline=(200, 30, 30), width=4)
    elif category == "farmland-chief" and not after:
        draw.rectangle([300, 170, 380, 230], fill=(180, 110, 90))


def evidence_photo(
    *,
    seed: str,
    category: str,
    caption: str,
    code: str,
    taken_at: datetime,
    position: tuple[float, float],
    after: bool = True,
) -> SimpleUploadedFile:
    """A small JPEG of a field scene with a watermark caption, ready for `attachment_add`."""
    rng = random.Random(seed)
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    _scene(draw, rng, category, after)
    big, small, cjk = _fonts()
    draw.rectangle([0, HEIGHT - 54, WIDTH, HEIGHT], fill=(20, 20, 20))
    lon, lat = position
    stamp = f"{code}  {taken_at:%Y-%m-%d %H:%M}  N{lat:.5f} E{lon:.5f}"
    title = caption if cjk else ("AFTER" if after else "BEFORE") + " " + code
    draw.text((10, HEIGHT - 50), title[:26], fill=(255, 255, 255), font=big)
    draw.text((10, HEIGHT - 22), stamp, fill=(255, 214, 90), font=small)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    name = f"{code}-{'after' if after else 'before'}-{taken_at:%Y%m%d%H%M}.jpg"
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")
