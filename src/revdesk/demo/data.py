"""The fixed reference data of the demo company: catalogue, territories, distributors, people.

Plain tuples, no Django: the generator turns them into rows. Every name here is invented.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

COMPANY_NAME = "Halden Power & Networks"
EMAIL_DOMAIN = "halden.example"


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after day's month."""
    years, month = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + years, month + 1, 1)


@dataclass(frozen=True)
class DemoCalendar:
    """Every date of the demo, counted from the day it is built for (`as_of`, its "today").

    The year of history runs from the first day of the month eleven months before as_of's
    month up to as_of itself (1 December 2025 to 29 November 2026 for as_of 29 November 2026);
    nothing is dated after as_of.
    """

    as_of: dt.date

    @property
    def window_start(self) -> dt.date:
        """First day of the demo year: orders, invoices and payments fall in [this, as_of]."""
        return add_months(self.as_of, -11)

    @property
    def service_base_start(self) -> dt.date:
        """Circuits installed before the demo year were booked from here (36-month terms)."""
        return add_months(self.window_start, -39)

    @property
    def move_date(self) -> dt.date:
        """Three reps change territory on this day (seven months into the demo year)."""
        return add_months(self.window_start, 7)

    @property
    def plan_years(self) -> tuple[tuple[int, dt.date, dt.date], ...]:
        """Commission plan years: last calendar year and this one."""
        return tuple(
            (year, dt.date(year, 1, 1), dt.date(year, 12, 31))
            for year in (self.as_of.year - 1, self.as_of.year)
        )


DEMO_PASSWORD = "halden-demo-2026"

BUILD_RECORD_KEY = "demo_company"
"""Marks the one change record that says which day and seed the demo was built for."""

# --- catalogue -------------------------------------------------------------------------------

# code, name, kind
PRODUCT_LINES = (
    ("UPS", "Uninterruptible power supplies", "hardware"),
    ("RACK", "Racks and enclosures", "hardware"),
    ("PDU", "Power distribution", "hardware"),
    ("THERMAL", "Thermal management (cooling)", "hardware"),
    ("FIBRE", "Fibre services", "service"),
    ("ETHERNET", "Ethernet services", "service"),
)

# code, description, is_recurring, revenue account, tax category
BILLING_CODES = (
    ("HW-UPS-1PH", "Single-phase UPS hardware", False, "4100-UPS", "tangible-goods"),
    ("HW-UPS-3PH", "Three-phase UPS hardware", False, "4100-UPS", "tangible-goods"),
    ("HW-UPS-BAT", "UPS batteries and battery cabinets", False, "4100-UPS", "tangible-goods"),
    ("HW-UPS-ACC", "UPS accessories and management cards", False, "4100-UPS", "tangible-goods"),
    ("HW-RACK", "Racks and enclosures", False, "4200-RACK", "tangible-goods"),
    ("HW-RACK-ACC", "Rack accessories and containment", False, "4200-RACK", "tangible-goods"),
    ("HW-PDU", "Rack and floor power distribution", False, "4300-PDU", "tangible-goods"),
    ("HW-THERM", "Cooling units", False, "4400-THERMAL", "tangible-goods"),
    ("HW-THERM-ACC", "Environmental monitoring", False, "4400-THERMAL", "tangible-goods"),
    ("MRC-FIBRE", "Fibre service monthly recurring charge", True, "4600-FIBRE", "telecom"),
    ("MRC-ETH", "Ethernet service monthly recurring charge", True, "4700-ETHERNET", "telecom"),
    ("NRC-INSTALL", "Service installation, one-time charge", False, "4650-INSTALL", "telecom"),
)


@dataclass(frozen=True)
class ProductSpec:
    sku: str
    name: str
    line: str
    billing_code: str
    list_price: str  # USD
    unit_cost: str  # USD
    tier: str = "M"  # S small sites, M mid-size rooms, L data-centre scale; "-" services
    upgrade: str = ""  # services: the SKU a change order upgrades to


def _p(sku, name, line, code, price, cost, tier="M", upgrade="") -> ProductSpec:
    return ProductSpec(sku, name, line, code, price, cost, tier, upgrade)


PRODUCTS = (
    # UPS
    _p("UPS-1K-T", "Single-phase UPS 1 kVA, tower", "UPS", "HW-UPS-1PH", "540.00", "298.00", "S"),
    _p(
        "UPS-1K5-R",
        "Single-phase UPS 1.5 kVA, rack 2U",
        "UPS",
        "HW-UPS-1PH",
        "890.00",
        "486.00",
        "S",
    ),
    _p(
        "UPS-2K2-R",
        "Single-phase UPS 2.2 kVA, rack 2U",
        "UPS",
        "HW-UPS-1PH",
        "1450.00",
        "792.00",
        "S",
    ),
    _p(
        "UPS-3K-R",
        "Single-phase UPS 3 kVA, rack 2U",
        "UPS",
        "HW-UPS-1PH",
        "1980.00",
        "1085.00",
        "S",
    ),
    _p(
        "UPS-5K-R",
        "Single-phase UPS 5 kVA online, rack 3U",
        "UPS",
        "HW-UPS-1PH",
        "3650.00",
        "2010.00",
    ),
    _p(
        "UPS-6K-RT",
        "Single-phase UPS 6 kVA online, rack/tower",
        "UPS",
        "HW-UPS-1PH",
        "4980.00",
        "2790.00",
    ),
    _p("UPS-10K-RT", "UPS 10 kVA online, rack/tower", "UPS", "HW-UPS-1PH", "7900.00", "4420.00"),
    _p("UPS-20K-3P", "Three-phase UPS 20 kVA", "UPS", "HW-UPS-3PH", "18900.00", "10950.00"),
    _p("UPS-40K-3P", "Three-phase UPS 40 kVA", "UPS", "HW-UPS-3PH", "32500.00", "18700.00"),
    _p(
        "UPS-80K-3P",
        "Three-phase modular UPS 80 kVA frame",
        "UPS",
        "HW-UPS-3PH",
        "61000.00",
        "35400.00",
        "L",
    ),
    _p(
        "UPS-160K-3P",
        "Three-phase modular UPS 160 kVA",
        "UPS",
        "HW-UPS-3PH",
        "118000.00",
        "69800.00",
        "L",
    ),
    _p(
        "UPS-250K-3P",
        "Three-phase UPS 250 kVA, N+1 capable",
        "UPS",
        "HW-UPS-3PH",
        "176000.00",
        "104500.00",
        "L",
    ),
    _p(
        "UPS-500K-3P",
        "Three-phase UPS 500 kVA, parallel capable",
        "UPS",
        "HW-UPS-3PH",
        "329000.00",
        "197000.00",
        "L",
    ),
    _p(
        "UPS-BM-48V",
        "Battery module 48 V, hot-swappable",
        "UPS",
        "HW-UPS-BAT",
        "420.00",
        "236.00",
        "S",
    ),
    _p(
        "UPS-EBC-3P",
        "Extended battery cabinet, 10 min at 80 kVA",
        "UPS",
        "HW-UPS-BAT",
        "14800.00",
        "8650.00",
        "L",
    ),
    _p(
        "UPS-LI-CAB",
        "Lithium-ion battery cabinet 40 kWh",
        "UPS",
        "HW-UPS-BAT",
        "38500.00",
        "23100.00",
        "L",
    ),
    _p("UPS-NMC3", "Network management card 3", "UPS", "HW-UPS-ACC", "395.00", "160.00", "S"),
    _p("UPS-MBP-20K", "Maintenance bypass panel 20 kVA", "UPS", "HW-UPS-ACC", "1650.00", "905.00"),
    # Racks
    _p(
        "RCK-42U-600", "Server rack 42U, 600 × 1070 mm", "RACK", "HW-RACK", "1390.00", "760.00", "S"
    ),
    _p("RCK-42U-800", "Network rack 42U, 800 × 1070 mm", "RACK", "HW-RACK", "1690.00", "925.00"),
    _p("RCK-45U-600", "Server rack 45U, 600 × 1200 mm", "RACK", "HW-RACK", "1590.00", "870.00"),
    _p(
        "RCK-48U-800",
        "Network rack 48U, 800 × 1200 mm",
        "RACK",
        "HW-RACK",
        "1990.00",
        "1090.00",
        "L",
    ),
    _p("RCK-24U-WM", "Wall-mount enclosure 24U", "RACK", "HW-RACK", "890.00", "468.00", "S"),
    _p("RCK-12U-WM", "Wall-mount enclosure 12U", "RACK", "HW-RACK", "540.00", "281.00", "S"),
    _p("RCK-SEIS-42", "Seismic-rated rack 42U, zone 4", "RACK", "HW-RACK", "3850.00", "2140.00"),
    _p(
        "RCK-HAC-KIT",
        "Hot-aisle containment kit, 10 racks",
        "RACK",
        "HW-RACK-ACC",
        "18500.00",
        "10300.00",
        "L",
    ),
    _p(
        "RCK-CAC-DOOR",
        "Cold-aisle sliding door set",
        "RACK",
        "HW-RACK-ACC",
        "3900.00",
        "2150.00",
        "L",
    ),
    _p(
        "RCK-BLANK-1U",
        "Blanking panel 1U, tool-less, pack of 10",
        "RACK",
        "HW-RACK-ACC",
        "69.00",
        "24.00",
        "S",
    ),
    _p("RCK-VCM-42", "Vertical cable manager 42U", "RACK", "HW-RACK-ACC", "320.00", "151.00", "S"),
    _p("RCK-SHELF-FX", "Fixed shelf 750 mm", "RACK", "HW-RACK-ACC", "85.00", "33.00", "S"),
    _p("RCK-RAIL-UNI", "Universal rail kit", "RACK", "HW-RACK-ACC", "110.00", "44.00", "S"),
    _p("RCK-SIDE-42", "Side panel pair 42U", "RACK", "HW-RACK-ACC", "260.00", "118.00", "S"),
    # PDUs
    _p(
        "PDU-B-1P-16",
        "Basic rack PDU, 1-phase 16 A, 12 × C13",
        "PDU",
        "HW-PDU",
        "210.00",
        "98.00",
        "S",
    ),
    _p(
        "PDU-B-1P-32",
        "Basic rack PDU, 1-phase 32 A, 20 × C13 4 × C19",
        "PDU",
        "HW-PDU",
        "340.00",
        "162.00",
        "S",
    ),
    _p("PDU-M-1P-32", "Metered rack PDU, 1-phase 32 A", "PDU", "HW-PDU", "620.00", "301.00", "S"),
    _p("PDU-M-3P-16", "Metered rack PDU, 3-phase 16 A", "PDU", "HW-PDU", "890.00", "436.00"),
    _p("PDU-M-3P-32", "Metered rack PDU, 3-phase 32 A, 0U", "PDU", "HW-PDU", "1180.00", "584.00"),
    _p(
        "PDU-MO-3P-32",
        "Metered-by-outlet rack PDU, 3-phase 32 A",
        "PDU",
        "HW-PDU",
        "1640.00",
        "815.00",
    ),
    _p("PDU-SW-1P-16", "Switched rack PDU, 1-phase 16 A", "PDU", "HW-PDU", "780.00", "385.00", "S"),
    _p("PDU-SW-3P-32", "Switched rack PDU, 3-phase 32 A", "PDU", "HW-PDU", "1890.00", "940.00"),
    _p(
        "PDU-SW-3P-63",
        "Switched rack PDU, 3-phase 63 A, 415 V",
        "PDU",
        "HW-PDU",
        "2650.00",
        "1330.00",
        "L",
    ),
    _p(
        "PDU-ATS-16",
        "Rack automatic transfer switch 16 A",
        "PDU",
        "HW-PDU",
        "860.00",
        "421.00",
        "S",
    ),
    _p("PDU-ATS-32", "Rack automatic transfer switch 32 A", "PDU", "HW-PDU", "1240.00", "612.00"),
    _p(
        "PDU-FLR-150",
        "Floor-standing power distribution unit 150 kVA",
        "PDU",
        "HW-PDU",
        "42000.00",
        "24800.00",
        "L",
    ),
    _p("PDU-RPP-84", "Remote power panel, 84 poles", "PDU", "HW-PDU", "13800.00", "7900.00", "L"),
    _p(
        "PDU-SENS-TH",
        "Temperature and humidity sensor",
        "PDU",
        "HW-THERM-ACC",
        "95.00",
        "34.00",
        "S",
    ),
    # Thermal
    _p(
        "THM-IR-10",
        "In-row cooling 10 kW, chilled water",
        "THERMAL",
        "HW-THERM",
        "11800.00",
        "6900.00",
    ),
    _p(
        "THM-IR-30",
        "In-row cooling 30 kW, chilled water",
        "THERMAL",
        "HW-THERM",
        "19900.00",
        "11700.00",
        "L",
    ),
    _p("THM-IR-DX-20", "In-row DX cooling 20 kW", "THERMAL", "HW-THERM", "24500.00", "14300.00"),
    _p(
        "THM-RDHX-30",
        "Rear-door heat exchanger 30 kW",
        "THERMAL",
        "HW-THERM",
        "13500.00",
        "7850.00",
        "L",
    ),
    _p("THM-CRAH-60", "Perimeter CRAH 60 kW", "THERMAL", "HW-THERM", "38000.00", "22300.00", "L"),
    _p(
        "THM-CRAH-120",
        "Perimeter CRAH 120 kW, EC fans",
        "THERMAL",
        "HW-THERM",
        "61000.00",
        "36100.00",
        "L",
    ),
    _p(
        "THM-CRAC-40",
        "Perimeter CRAC 40 kW, DX",
        "THERMAL",
        "HW-THERM",
        "34500.00",
        "20200.00",
        "L",
    ),
    _p(
        "THM-CHL-250",
        "Air-cooled chiller 250 kW, free cooling",
        "THERMAL",
        "HW-THERM",
        "148000.00",
        "89500.00",
        "L",
    ),
    _p(
        "THM-CDU-500",
        "Coolant distribution unit 500 kW, liquid cooling",
        "THERMAL",
        "HW-THERM",
        "96000.00",
        "57400.00",
        "L",
    ),
    _p(
        "THM-RAC-3",
        "Rack-mounted air conditioner 3.5 kW",
        "THERMAL",
        "HW-THERM",
        "4900.00",
        "2760.00",
        "S",
    ),
    _p(
        "THM-ENV-HUB",
        "Environmental monitoring hub",
        "THERMAL",
        "HW-THERM-ACC",
        "690.00",
        "310.00",
        "S",
    ),
    _p(
        "THM-LEAK-15",
        "Leak detection cable 15 m",
        "THERMAL",
        "HW-THERM-ACC",
        "240.00",
        "98.00",
        "S",
    ),
    # Fibre services (monthly recurring charge as the list price)
    _p(
        "FIB-DIA-100M",
        "Dedicated internet access 100 Mbps",
        "FIBRE",
        "MRC-FIBRE",
        "650.00",
        "210.00",
        "-",
        "FIB-DIA-1G",
    ),
    _p(
        "FIB-DIA-1G",
        "Dedicated internet access 1 Gbps",
        "FIBRE",
        "MRC-FIBRE",
        "1450.00",
        "480.00",
        "-",
        "FIB-DIA-10G",
    ),
    _p(
        "FIB-DIA-10G",
        "Dedicated internet access 10 Gbps",
        "FIBRE",
        "MRC-FIBRE",
        "4900.00",
        "1720.00",
        "-",
    ),
    _p(
        "FIB-WAVE-10G",
        "Wavelength 10 Gbps, point to point",
        "FIBRE",
        "MRC-FIBRE",
        "3200.00",
        "1150.00",
        "-",
        "FIB-WAVE-100G",
    ),
    _p(
        "FIB-WAVE-100G",
        "Wavelength 100 Gbps, point to point",
        "FIBRE",
        "MRC-FIBRE",
        "8900.00",
        "3300.00",
        "-",
    ),
    _p(
        "FIB-DARK-PAIR",
        "Dark fibre pair, per route",
        "FIBRE",
        "MRC-FIBRE",
        "5400.00",
        "1500.00",
        "-",
    ),
    _p(
        "FIB-INSTALL",
        "Fibre service installation (one-time)",
        "FIBRE",
        "NRC-INSTALL",
        "1500.00",
        "900.00",
        "-",
    ),
    # Ethernet services
    _p(
        "ETH-ELINE-100M",
        "E-Line 100 Mbps",
        "ETHERNET",
        "MRC-ETH",
        "480.00",
        "160.00",
        "-",
        "ETH-ELINE-1G",
    ),
    _p(
        "ETH-ELINE-1G",
        "E-Line 1 Gbps",
        "ETHERNET",
        "MRC-ETH",
        "1150.00",
        "390.00",
        "-",
        "ETH-ELINE-10G",
    ),
    _p("ETH-ELINE-10G", "E-Line 10 Gbps", "ETHERNET", "MRC-ETH", "3600.00", "1260.00", "-"),
    _p(
        "ETH-ELAN-1G",
        "E-LAN 1 Gbps, per site",
        "ETHERNET",
        "MRC-ETH",
        "1350.00",
        "470.00",
        "-",
        "ETH-ELAN-10G",
    ),
    _p("ETH-ELAN-10G", "E-LAN 10 Gbps, per site", "ETHERNET", "MRC-ETH", "4100.00", "1430.00", "-"),
    _p("ETH-EACC-1G", "Ethernet access 1 Gbps", "ETHERNET", "MRC-ETH", "890.00", "300.00", "-"),
    _p(
        "ETH-INSTALL",
        "Ethernet service installation (one-time)",
        "ETHERNET",
        "NRC-INSTALL",
        "750.00",
        "420.00",
        "-",
    ),
)

SERVICE_TERM_MONTHS = 36
INSTALL_SKU = {"FIBRE": "FIB-INSTALL", "ETHERNET": "ETH-INSTALL"}

# Hardware bundles: a theme picks the first product from `anchor` and extras from `extras`.
BUNDLES = (
    ("power", ("UPS",), ("UPS-BM-48V", "UPS-NMC3", "UPS-MBP-20K", "PDU-ATS-16", "PDU-M-1P-32")),
    (
        "rack",
        ("RACK",),
        ("RCK-BLANK-1U", "RCK-VCM-42", "RCK-RAIL-UNI", "PDU-M-3P-32", "PDU-B-1P-32"),
    ),
    ("pdu", ("PDU",), ("PDU-SENS-TH", "RCK-RAIL-UNI", "PDU-ATS-32")),
    ("thermal", ("THERMAL",), ("THM-ENV-HUB", "THM-LEAK-15", "PDU-SENS-TH", "RCK-CAC-DOOR")),
)
BUNDLE_WEIGHTS = (40, 25, 22, 13)

# --- currencies and tax ---------------------------------------------------------------------

FX_START = {"CAD": "0.7180", "EUR": "1.0840", "GBP": "1.2710"}
"""One unit of the currency in USD on the first day of the demo year; later months walk on."""

COUNTRY_CURRENCY = {
    "US": "USD",
    "CA": "CAD",
    "GB": "GBP",
    "IE": "EUR",
    "DE": "EUR",
    "FR": "EUR",
    "NL": "EUR",
    "ES": "EUR",
    "IT": "EUR",
}
COUNTRY_WEIGHTS = {
    "US": 60,
    "CA": 12,
    "GB": 10,
    "DE": 6,
    "FR": 4,
    "NL": 3,
    "IE": 2,
    "ES": 2,
    "IT": 1,
}
COUNTRY_LOCALE = {
    "US": "en_US",
    "CA": "en_CA",
    "GB": "en_GB",
    "IE": "en_IE",
    "DE": "de_DE",
    "FR": "fr_FR",
    "NL": "nl_NL",
    "ES": "es_ES",
    "IT": "it_IT",
}
TAX_RATES = {
    "US": ("0", "0.0625", "0.07", "0.0725", "0.08", "0.0875"),
    "CA": ("0.13", "0.05", "0.15"),
    "GB": ("0.20",),
    "IE": ("0.23",),
    "DE": ("0.19",),
    "FR": ("0.20",),
    "NL": ("0.21",),
    "ES": ("0.21",),
    "IT": ("0.22",),
}
SERVICE_COUNTRIES = ("US", "CA", "GB")
"""Where the fibre/Ethernet network reaches."""

# --- sales organisation ---------------------------------------------------------------------

# region code, name, manager locale, territories: (code, name, countries, hardware reps)
REGIONS = (
    (
        "NA-EAST",
        "North America East",
        "en_US",
        (
            ("US-NE", "US Northeast", ("US",), 3),
            ("US-MA", "US Mid-Atlantic", ("US",), 3),
            ("US-SE", "US Southeast", ("US",), 3),
        ),
    ),
    (
        "NA-CENTRAL",
        "North America Central",
        "en_US",
        (
            ("US-MW", "US Midwest", ("US",), 3),
            ("US-TX", "US South Central", ("US",), 3),
        ),
    ),
    (
        "NA-WEST",
        "North America West",
        "en_US",
        (
            ("US-NW", "US Northwest", ("US",), 2),
            ("US-CA", "US California", ("US",), 3),
            ("US-MTN", "US Mountain", ("US",), 2),
        ),
    ),
    (
        "CANADA",
        "Canada",
        "en_CA",
        (
            ("CA-EAST", "Canada East", ("CA",), 2),
            ("CA-WEST", "Canada West", ("CA",), 2),
        ),
    ),
    (
        "EMEA",
        "Europe",
        "en_GB",
        (
            ("UK-IE", "United Kingdom and Ireland", ("GB", "IE"), 2),
            ("DACH", "Germany, Austria, Switzerland", ("DE",), 2),
            ("FR-BNL", "France and Benelux", ("FR", "NL"), 1),
            ("SOUTH-EU", "Southern Europe", ("ES", "IT"), 1),
        ),
    ),
)

# Services specialists: overlay on regions, reporting to the services manager.
SERVICE_SPECIALISTS = (
    ("NA-EAST", "en_US"),
    ("NA-CENTRAL", "en_US"),
    ("NA-WEST", "en_US"),
    ("CANADA", "en_CA"),
    ("EMEA", "en_GB"),
)

# Mid-year moves: (from territory, to territory, the rep's position in the old territory).
TERRITORY_MOVES = (
    ("US-SE", "US-TX", 2),
    ("CA-WEST", "US-NW", 1),
    ("US-MA", "US-NE", 2),
)

# --- distributors ---------------------------------------------------------------------------

# code, name, country, weight (how often customers of that country buy through it)
DISTRIBUTORS = (
    ("D-US-01", "Volt Supply Company", "US", 30),
    ("D-US-02", "Rack & Stack Distribution", "US", 18),
    ("D-US-03", "Keystone Electrical Wholesale", "US", 14),
    ("D-US-04", "Summit Power Partners", "US", 12),
    ("D-US-05", "Bayline Data Center Supply", "US", 10),
    ("D-US-06", "Prairie Electric Distributors", "US", 8),
    ("D-US-07", "Pacific Critical Infrastructure", "US", 8),
    ("D-US-08", "Gulf Coast Power & Controls", "US", 6),
    ("D-CA-01", "Maple Leaf Electrical Distribution", "CA", 20),
    ("D-CA-02", "Laurentian Power Supply", "CA", 12),
    ("D-CA-03", "Cascadia Networks Supply", "CA", 8),
    ("D-GB-01", "Albion Data Centre Supplies Ltd", "GB", 20),
    ("D-GB-02", "Thameside Electrical Wholesale Ltd", "GB", 12),
    ("D-GB-03", "Pennine Power Systems Ltd", "GB", 8),
    ("D-DE-01", "Rheinland Elektro Handel GmbH", "DE", 20),
    ("D-DE-02", "Nordlicht Rechenzentrum Technik GmbH", "DE", 10),
    ("D-FR-01", "Loire Distribution Électrique SAS", "FR", 15),
    ("D-NL-01", "Polder Power Distributie B.V.", "NL", 15),
    ("D-IE-01", "Liffey Electrical Supplies Ltd", "IE", 15),
    ("D-ES-01", "Iberia Energía y Sistemas S.L.", "ES", 15),
)

# --- customers ------------------------------------------------------------------------------

# segment: name suffixes by kind of business
CUSTOMER_SUFFIXES = {
    "enterprise": (
        "Data Centers",
        "Financial Group",
        "Manufacturing",
        "Logistics",
        "Insurance",
        "Retail Group",
        "Pharmaceuticals",
        "Energy",
    ),
    "mid_market": (
        "Colocation",
        "Engineering",
        "Foods",
        "Hospitality",
        "Media",
        "Software",
        "Distribution",
        "Labs",
    ),
    "small_business": (
        "IT Services",
        "Dental Group",
        "Clinic",
        "Print Shop",
        "Accounting",
        "Studios",
        "Architects",
    ),
    "public_sector": (
        "University",
        "Health System",
        "County Schools",
        "Regional Hospital",
        "City Council",
        "Transit Authority",
    ),
    "carrier": ("Telecom", "Networks", "Broadband", "Fiber", "Communications"),
}
SEGMENT_WEIGHTS = {
    "enterprise": 18,
    "mid_market": 38,
    "small_business": 24,
    "public_sector": 12,
    "carrier": 8,
}
SEGMENT_ORDERS_PER_YEAR = {
    "enterprise": 9,
    "mid_market": 5,
    "small_business": 2,
    "public_sector": 4,
    "carrier": 7,
}
SEGMENT_DISCOUNT = {  # whole percentages off list
    "enterprise": (10, 25),
    "mid_market": (5, 15),
    "small_business": (0, 8),
    "public_sector": (12, 20),
    "carrier": (15, 25),
}
SEGMENT_CREDIT_LIMIT = {  # thousands of the customer's currency
    "enterprise": (250, 2000),
    "mid_market": (50, 400),
    "small_business": (10, 60),
    "public_sector": (100, 800),
    "carrier": (200, 1500),
}
SEGMENT_TIERS = {
    "enterprise": ("S", "M", "M", "L"),
    "mid_market": ("S", "S", "M"),
    "small_business": ("S",),
    "public_sector": ("S", "M", "M"),
    "carrier": ("S", "M", "L", "L"),
}
PORTALS = ("SAP Ariba", "Coupa", "Tungsten Network", "Basware", "Jaggaer")
CONTACT_TITLES = (
    "Accounts Payable Manager",
    "Accounts Payable Specialist",
    "Controller",
    "Finance Director",
    "Procurement Manager",
    "AP Clerk",
)
CREDIT_REASONS_HARDWARE = (
    ("Return: damaged on delivery", "0.10", "0.40"),
    ("Return: ordered in error", "0.05", "0.30"),
    ("Pricing correction: agreed discount not applied", "0.03", "0.12"),
    ("Freight charged in error", "0.01", "0.03"),
)
CREDIT_REASONS_SERVICE = (
    ("Service level credit: outage", "0.05", "0.25"),
    ("Billing correction: monthly rate per contract", "0.03", "0.15"),
)
SHORT_PAY_REASONS = (
    "freight deducted",
    "disputed price difference",
    "early-payment discount taken",
    "damaged unit deducted",
    "withholding",
)

# Sites of key-account subsidiaries.
CITIES = {
    "US": (
        "Boston",
        "New York",
        "Philadelphia",
        "Atlanta",
        "Charlotte",
        "Chicago",
        "Columbus",
        "Dallas",
        "Houston",
        "Austin",
        "Denver",
        "Phoenix",
        "Salt Lake City",
        "Seattle",
        "Portland",
        "San Jose",
        "Los Angeles",
        "San Diego",
        "Minneapolis",
        "Ashburn",
        "Richmond",
        "Nashville",
        "Kansas City",
        "Raleigh",
    ),
    "CA": ("Toronto", "Montréal", "Ottawa", "Calgary", "Vancouver", "Edmonton", "Winnipeg"),
    "GB": (
        "London",
        "Manchester",
        "Birmingham",
        "Leeds",
        "Glasgow",
        "Edinburgh",
        "Bristol",
        "Slough",
        "Cardiff",
    ),
    "IE": ("Dublin", "Cork", "Galway", "Limerick"),
    "DE": ("Frankfurt am Main", "München", "Berlin", "Hamburg", "Düsseldorf", "Stuttgart"),
    "FR": ("Paris", "Lyon", "Marseille", "Lille", "Toulouse"),
    "NL": ("Amsterdam", "Rotterdam", "Eindhoven", "Utrecht"),
    "ES": ("Madrid", "Barcelona", "Valencia", "Bilbao"),
    "IT": ("Milano", "Roma", "Torino", "Bologna"),
}


# --- crediting policies ----------------------------------------------------------------------

# number, title, text (Markdown), split by role
CREDITING_POLICIES = (
    (
        "Policy 100",
        "Split credit between specifying, ordering and installing territories",
        "When a project is specified in one territory, ordered in another and installed in a "
        "third, the credit is split **25% specifying, 50% ordering, 25% installing**, once a "
        "claim under this policy is approved. Without an approved claim the rep on the invoice "
        "keeps 100%.\n\nThe claim names the three reps and attaches the evidence (the "
        "specification, the purchase order, the installation work order). Claims are filed "
        "within 90 days of the invoice; an approved claim is paid as an adjustment in the next "
        "open period.",
        {"specifying": "0.25", "ordering": "0.50", "installing": "0.25"},
    ),
    (
        "Policy 119",
        "Fibre and Ethernet circuits that cross territories",
        "A circuit sold in one territory with its far end in another is credited **60% to the "
        "selling rep and 40% to the rep of the far-end territory**, for the monthly recurring "
        "revenue of the circuit's first term, once a claim under this policy is approved. "
        "Renewals are credited to the selling rep alone.",
        {"selling": "0.60", "far_end": "0.40"},
    ),
)


# --- commission plans ------------------------------------------------------------------------

# code template -> plan file template ({year} filled in); the codes the payees' plan
# assignments name (REP-2026-HW...). Product lines as in PRODUCT_LINES.
PLAN_FILES = {
    "REP-{year}-HW": """\
code: REP-{year}-HW
name: Hardware field rep {year}
version: 1
valid_from: {year}-01-01
valid_to: {year}-12-31
currency: USD
period: month
rounding: line
payable_on: invoice
quota: 120000.00
clawback: {{window_months: 6}}
components:
  - code: hardware
    name: Hardware commission
    basis: amount
    filter: {{product_lines: [UPS, RACK, PDU, THERMAL]}}
    rates_by_product_line: {{UPS: 0.05, RACK: 0.04, PDU: 0.04, THERMAL: 0.06}}
bonuses:
  - {{code: quota-made, attainment_at_least: 1.00, amount: 1500.00}}
description: >
  5% on UPS, 4% on racks and PDUs, 6% on thermal, on the invoiced amount; a 1,500.00 bonus
  in every month the 120,000.00 quota is made; credit memos within six months claw back.
""",
    "REP-{year}-SVC": """\
code: REP-{year}-SVC
name: Services specialist {year}
version: 1
valid_from: {year}-01-01
valid_to: {year}-12-31
currency: USD
period: month
rounding: line
payable_on: invoice
quota: 40000.00
clawback: {{window_months: 12}}
components:
  - code: services
    name: Fibre and Ethernet services
    basis: amount
    filter: {{product_lines: [FIBRE, ETHERNET]}}
    tiers:
      measure: attainment
      accumulate: period
      method: incremental
      bands:
        - {{upto: 1.00, rate: 0.06}}
        - {{upto: 1.50, rate: 0.09}}
        - {{rate: 0.12}}
description: >
  Services billed in the month, paid incrementally: 6% up to quota, 9% to 150%, 12% above;
  disconnects within twelve months claw back.
""",
    "MGR-{year}": """\
code: MGR-{year}
name: Regional sales manager {year}
version: 1
valid_from: {year}-01-01
valid_to: {year}-12-31
currency: USD
period: month
override: {{rate: 0.01, levels: 1}}
description: 1% of everything credited to the reps who report to the manager.
""",
    "DIR-{year}": """\
code: DIR-{year}
name: Sales director {year}
version: 1
valid_from: {year}-01-01
valid_to: {year}-12-31
currency: USD
period: quarter
override: {{rate: 0.004, levels: 2}}
description: 0.4% of everything credited to the managers and reps under the director.
""",
}
