"""Working days of the client's country, and the days a risky switch may land on.

A plan a person follows lands its steps on working days. A switch that can block mail (MTA-STS
to enforce, DMARC to quarantine or reject) lands only Tuesday to Thursday, on a working day
followed by another, and never in the end-of-year holidays: someone must be at work to watch the
reports for a day or two after it. Public holidays come from the `holidays` package; a country
without a code (or one it does not know) gets weekends only, which the plan says.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

import holidays

# Subdivision used when only the country is given and national holidays alone would miss
# the ones most clients observe (England's Easter Monday and August bank holiday).
_DEFAULT_SUBDIVISION = {"GB": "ENG"}
SWITCH_WEEKDAYS = frozenset({1, 2, 3})
"""Tuesday, Wednesday, Thursday: never the day before a weekend, never a Monday backlog."""
_COUNTRY_NAMES = {
    "GB": "the United Kingdom",
    "US": "the United States",
    "IE": "Ireland",
    "AU": "Australia",
    "NZ": "New Zealand",
    "CA": "Canada",
    "DE": "Germany",
    "FR": "France",
    "NL": "the Netherlands",
    "BE": "Belgium",
    "ES": "Spain",
    "IT": "Italy",
    "CH": "Switzerland",
    "AT": "Austria",
    "SE": "Sweden",
    "DK": "Denmark",
    "NO": "Norway",
    "ZA": "South Africa",
}
_REGION_NAMES = {
    # England and Wales share their bank holidays; Wales is a subdivision of its own too.
    "GB-ENG": "England and Wales",
    "GB-SCT": "Scotland",
    "GB-WLS": "Wales",
    "GB-NIR": "Northern Ireland",
}
SWITCH_SPACING = 7
"""Days between two switches of one domain."""
QUIET_START = (12, 18)
QUIET_END = (1, 6)
"""No switch from 18 December to 6 January: reports go unread and IT providers run skeleton
staff."""


@dataclass(frozen=True)
class WorkCalendar:
    """Working days for one country code: ISO 3166-1 alpha-2, optionally `-SUBDIVISION`
    (`GB`, `GB-SCT`, `US-CA`, `DE-BY`); "" for weekends only."""

    country: str = ""
    _cache: dict[int, frozenset[date]] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def known(self) -> bool:
        """Whether public holidays are known for this country (else weekends only)."""
        return self._calendar(2000) is not None

    @cached_property
    def place(self) -> str:
        """The country (and region) in words, for sentences."""
        code, _, sub = self.country.upper().partition("-")
        name = _COUNTRY_NAMES.get(code, f"the country with code {code}")
        region = _REGION_NAMES.get(f"{code}-{sub or _DEFAULT_SUBDIVISION.get(code, '')}")
        return f"{region} ({name.removeprefix('the ')})" if region else name

    @cached_property
    def description(self) -> str:
        if not self.country:
            return (
                "Monday to Friday; no country is set for this client, so public holidays are "
                "not counted"
            )
        if not self.known:
            return (
                f"Monday to Friday; the public holidays of {self.country} are not known to the kit"
            )
        return f"Monday to Friday except public holidays in {self.place}"

    def _calendar(self, year: int) -> holidays.HolidayBase | None:
        if not self.country:
            return None
        code, _, sub = self.country.upper().partition("-")
        subdivision = sub or _DEFAULT_SUBDIVISION.get(code)
        try:
            return holidays.country_holidays(code, subdiv=subdivision, years=year)
        except (NotImplementedError, KeyError, ValueError):
            return None

    def _holidays(self, year: int) -> frozenset[date]:
        found = self._cache.get(year)
        if found is None:
            table = self._calendar(year)
            found = frozenset(table.keys()) if table is not None else frozenset()
            self._cache[year] = found
        return found

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays(day.year)

    def working_day(self, day: date) -> date:
        """`day`, or the next working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        """The working day `count` working days after `day` (`day` itself for 0)."""
        day = self.working_day(day)
        for _ in range(count):
            day = self.working_day(day + timedelta(days=1))
        return day

    def in_quiet_period(self, day: date) -> bool:
        return (day.month, day.day) >= QUIET_START or (day.month, day.day) <= QUIET_END

    def can_switch(self, day: date) -> bool:
        return (
            day.weekday() in SWITCH_WEEKDAYS
            and self.is_working_day(day)
            and self.is_working_day(day + timedelta(days=1))
            and not self.in_quiet_period(day)
        )

    def switch_day(self, day: date, apart_from: Iterable[date] = ()) -> date:
        """The first day on or after `day` a mail-blocking switch may land on, at least
        `SWITCH_SPACING` days from the switches in `apart_from`: one change at a time, so a
        problem in the reports can be traced to the change that caused it."""
        taken = tuple(apart_from)
        for _ in range(800):
            if self.can_switch(day) and all(abs((day - t).days) >= SWITCH_SPACING for t in taken):
                return day
            day += timedelta(days=1)
        raise ValueError(f"no switch day within two years of {day}")
