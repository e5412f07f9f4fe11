"""Raw-data downloads of a survey's submitted responses: long and wide CSV, Excel, SPSS, Stata,
and the coded passages of its interview answers (coded-segments CSV).

Every format holds pseudonymous respondents and group snapshots only — never a name, email or
organisation — and never a draft. ``docs/exports.md`` describes each format column by column.

``TEXT_FORMATS`` give lines of text to stream (a ``StreamingHttpResponse`` or a file);
``FILE_FORMATS`` write a file at a path (``xlsx`` also to a binary file object).
"""

from .coded_segments import CODED_SEGMENT_COLUMNS, coded_segments_csv_lines
from .long_csv import LONG_COLUMNS, long_csv_lines
from .spss_stata import write_dta, write_sav
from .wide import HEAD_COLUMNS, wide_csv_lines, wide_frame
from .xlsx import write_xlsx

TEXT_FORMATS = {
    "csv": long_csv_lines,
    "csv-wide": wide_csv_lines,
    "coded-segments": coded_segments_csv_lines,
}
FILE_FORMATS = {"xlsx": write_xlsx, "sav": write_sav, "dta": write_dta}

__all__ = [
    "CODED_SEGMENT_COLUMNS",
    "FILE_FORMATS",
    "HEAD_COLUMNS",
    "LONG_COLUMNS",
    "TEXT_FORMATS",
    "coded_segments_csv_lines",
    "long_csv_lines",
    "wide_csv_lines",
    "wide_frame",
    "write_dta",
    "write_sav",
    "write_xlsx",
]
