"""The seeded demo school (pure: no Django, no clock).

`generate_school` builds it; `write_sims_export` writes it as a SIMS
export in the layout of the Oakfield sample.
"""

from attendwise.demo.generator import DEFAULT_SEED, generate_school
from attendwise.demo.school import (
    DemoContact,
    DemoMark,
    DemoPupil,
    DemoSchool,
    Profile,
)
from attendwise.demo.sims import write_sims_export

__all__ = [
    "DEFAULT_SEED",
    "DemoContact",
    "DemoMark",
    "DemoPupil",
    "DemoSchool",
    "Profile",
    "generate_school",
    "write_sims_export",
]
