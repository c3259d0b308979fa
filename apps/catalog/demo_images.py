"""Demo product pictures drawn with Pillow: a studio backdrop, a soft floor shadow and a shaded
object in the product's colour, so a demo catalog looks like a shop rather than a test pattern."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFilter

RGB = tuple[int, int, int]


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _shade(colour: RGB, factor: float) -> RGB:
    return tuple(max(0, min(255, round(c * factor))) for c in colour)  # type: ignore[return-value]


# The silhouettes _object_mask draws, in order; seed_demo picks one per product family.
SHAPES = ("top", "bag", "mug", "cushion", "shoe", "trousers", "lamp", "tent")


def _object_mask(kind: int, size: int) -> Image.Image:
    """A product-like silhouette: see SHAPES."""
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    s = size / 480
    if kind == 0:  # a T-shirt
        outline = [
            (200, 110), (150, 125), (85, 175), (120, 235), (160, 215), (160, 395), (320, 395),
            (320, 215), (360, 235), (395, 175), (330, 125), (280, 110), (262, 132), (240, 138),
            (218, 132),
        ]  # fmt: skip
        draw.polygon([(x * s, y * s) for x, y in outline], fill=255)
    elif kind == 1:  # a tote bag with its handle
        draw.arc([165 * s, 90 * s, 315 * s, 260 * s], 180, 360, fill=255, width=round(18 * s))
        draw.polygon(
            [(120 * s, 180 * s), (360 * s, 180 * s), (385 * s, 395 * s), (95 * s, 395 * s)],
            fill=255,
        )
    elif kind == 2:  # a mug
        draw.ellipse([290 * s, 200 * s, 395 * s, 320 * s], outline=255, width=round(24 * s))
        draw.rounded_rectangle([130 * s, 150 * s, 320 * s, 395 * s], radius=22 * s, fill=255)
    elif kind == 3:  # a round cushion
        draw.rounded_rectangle([115 * s, 130 * s, 365 * s, 395 * s], radius=110 * s, fill=255)
    elif kind == 4:  # a shoe, toe to the right
        outline = [
            (85, 395), (85, 300), (110, 250), (175, 245), (215, 285), (290, 300), (360, 320),
            (395, 350), (400, 395),
        ]  # fmt: skip
        draw.polygon([(x * s, y * s) for x, y in outline], fill=255)
    elif kind == 5:  # trousers
        outline = [(150, 95), (330, 95), (350, 395), (262, 395), (240, 195), (218, 395), (130, 395)]
        draw.polygon([(x * s, y * s) for x, y in outline], fill=255)
    elif kind == 6:  # a table lamp
        draw.polygon(
            [(170 * s, 105 * s), (310 * s, 105 * s), (350 * s, 230 * s), (130 * s, 230 * s)],
            fill=255,
        )
        draw.rectangle([231 * s, 230 * s, 249 * s, 372 * s], fill=255)
        draw.ellipse([165 * s, 362 * s, 315 * s, 395 * s], fill=255)
    else:  # a tent with its door open
        draw.polygon([(240 * s, 105 * s), (405 * s, 395 * s), (75 * s, 395 * s)], fill=255)
        draw.polygon([(240 * s, 255 * s), (282 * s, 395 * s), (198 * s, 395 * s)], fill=0)
    return mask


def draw_product(shape: int, colour: RGB, size: int = 480) -> Image.Image:
    """A picture of SHAPES[shape] in `colour`."""
    backdrop_top = _mix((248, 246, 242), colour, 0.05)
    backdrop_bottom = _mix((224, 219, 211), colour, 0.12)
    image = Image.new("RGB", (size, size))
    draw = ImageDraw.Draw(image)
    for y in range(size):
        draw.line([(0, y), (size, y)], fill=_mix(backdrop_top, backdrop_bottom, y / size))

    s = size / 480
    shadow = Image.new("L", (size, size), 0)
    ImageDraw.Draw(shadow).ellipse([95 * s, 375 * s, 385 * s, 420 * s], fill=120)
    image.paste((70, 62, 55), mask=shadow.filter(ImageFilter.GaussianBlur(16 * s)))

    # Light from the upper left: the object runs from a lit edge to a shaded one.
    light, dark = _shade(colour, 1.18), _shade(colour, 0.72)
    fill = Image.new("RGB", (size, size))
    fill_draw = ImageDraw.Draw(fill)
    for x in range(size):
        fill_draw.line([(x, 0), (x, size)], fill=_mix(light, dark, x / size))
    mask = _object_mask(shape % len(SHAPES), size)
    edge = mask.filter(ImageFilter.MaxFilter(3))
    image.paste(_shade(colour, 0.6), mask=edge)
    image.paste(fill, mask=mask)
    return image
