"""A few formatted-sheet helpers over xlsxwriter, shared by the analyses export
and the year-end pack (so both workbooks look alike)."""

import io

import xlsxwriter

# Column kinds: how a value of that kind is written and formatted.
FORMATS = {
    "text": {},
    "int": {"num_format": "#,##0"},
    "percent": {"num_format": "0.0"},
    "money": {"num_format": "#,##0.00"},
    "float": {"num_format": "#,##0.00"},
    "date": {"num_format": "yyyy-mm-dd"},
    "datetime": {"num_format": "yyyy-mm-dd hh:mm"},
}


class Workbook:
    """An in-memory workbook: ``add_table`` writes a title, a bold header row and
    the rows, one format per column kind; ``close`` returns the file's bytes."""

    def __init__(self):
        self._output = io.BytesIO()
        self.book = xlsxwriter.Workbook(
            self._output, {"in_memory": True, "remove_timezone": True}
        )
        self.title_format = self.book.add_format({"bold": True, "font_size": 14})
        self.header_format = self.book.add_format(
            {"bold": True, "bg_color": "#E6F2F3", "border": 1, "text_wrap": True}
        )
        self.formats = {
            kind: self.book.add_format(spec) for kind, spec in FORMATS.items()
        }
        self._names = set()

    def _sheet_name(self, name):
        # Excel: at most 31 characters, no []:*?/\ and unique in the book.
        clean = "".join(c for c in name if c not in "[]:*?/\\")[:31] or "Sheet"
        unique, n = clean, 2
        while unique.lower() in self._names:
            suffix = f" ({n})"
            unique, n = clean[: 31 - len(suffix)] + suffix, n + 1
        self._names.add(unique.lower())
        return unique

    def add_table(self, name, title, columns, rows):
        """``columns``: (header, kind, width) triples; ``rows``: value tuples in
        the columns' order. The table starts on row 3, under the title."""
        sheet = self.book.add_worksheet(self._sheet_name(name))
        sheet.write(0, 0, title, self.title_format)
        for col, (header, kind, width) in enumerate(columns):
            sheet.set_column(col, col, width, self.formats[kind])
            sheet.write(2, col, header, self.header_format)
        for row_index, row in enumerate(rows, start=3):
            for col, value in enumerate(row):
                kind = columns[col][1]
                if value is None or value is False:
                    sheet.write_blank(row_index, col, None, self.formats[kind])
                elif kind in ("date", "datetime"):
                    sheet.write_datetime(row_index, col, value, self.formats[kind])
                else:
                    sheet.write(row_index, col, value, self.formats[kind])
        sheet.freeze_panes(3, 1)
        if rows:
            sheet.autofilter(2, 0, 2 + len(rows), len(columns) - 1)
        return sheet

    def close(self):
        self.book.close()
        return self._output.getvalue()
