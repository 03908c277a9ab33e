"""The contract's facility services and kinds."""

from __future__ import annotations

SERVICES = (
    "pendampingan_korban",
    "rumah_aman",
    "konseling",
    "perawatan_lansia",
    "home_care_lansia",
    "santunan",
    "bantuan_pangan",
    "beasiswa",
    "layanan_disabilitas",
    "pengasuhan_anak",
)
KINDS = ("PSKM", "AUMSOS", "PARTNER")

# Indonesia's bounding box, with a small margin (Sabang to Merauke, Miangas to Rote).
LAT_RANGE = (-11.5, 6.5)
LON_RANGE = (94.5, 141.5)


def inside_indonesia(latitude: float, longitude: float) -> bool:
    return LAT_RANGE[0] <= latitude <= LAT_RANGE[1] and LON_RANGE[0] <= longitude <= LON_RANGE[1]
