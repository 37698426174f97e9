"""Demo photos for a fresh install: real photos that scikit-image ships, with short human captions."""
from __future__ import annotations

import json
from pathlib import Path

# name -> (caption, hashtags). The photos are scikit-image's sample data (public domain / CC0 or
# free-to-use images documented in skimage.data).
DEMO_PHOTOS = {
    "astronaut": ("astronaut Eileen Collins in her space suit in front of a flag", ["space", "nasa", "astronaut", "portrait"]),
    "coffee": ("a cup of espresso coffee on a saucer with a spoon", ["coffee", "espresso", "cafe", "breakfast"]),
    "chelsea": ("a tabby cat named Chelsea lying down and looking to the side", ["cat", "pets", "tabby"]),
    "rocket": ("a rocket on its launch pad before lift-off", ["space", "rocket", "launch"]),
    "hubble_deep_field": ("thousands of galaxies in the Hubble deep field", ["space", "galaxies", "astronomy"]),
    "immunohistochemistry": ("stained tissue under a microscope", ["science", "microscopy"]),
    "coins": ("old greek coins on a dark background", ["coins", "money", "history"]),
    "camera": ("a man with a camera on a tripod in a field, black and white", ["photography", "blackandwhite"]),
    "moon": ("the surface of the moon with craters", ["moon", "space", "astronomy"]),
    "brick": ("a brick wall texture", ["texture", "wall"]),
    "grass": ("a close-up of green grass", ["grass", "nature", "texture"]),
    "gravel": ("grey gravel stones on the ground", ["gravel", "texture"]),
    "colorwheel": ("a colour wheel with every hue", ["colors", "design"]),
    "retina": ("a photo of the human retina with blood vessels", ["science", "eye", "medical"]),
}


def write_demo_set(folder: Path) -> Path:
    """Write the demo photos as JPEGs plus an annotations.jsonl manifest; returns the manifest folder."""
    from PIL import Image
    from skimage import data

    images = folder / "images"
    images.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, (caption, tags) in DEMO_PHOTOS.items():
        path = images / f"{name}.jpg"
        if not path.exists():
            Image.fromarray(getattr(data, name)()).convert("RGB").save(path, "JPEG", quality=90)
        rows.append({"image": f"images/{name}.jpg", "captions": [caption], "tags": tags})
    (folder / "annotations.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder
