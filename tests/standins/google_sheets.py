"""Sheets v4 subset of the Google stand-in (spreadsheets.create/get/batchUpdate with addSheet,
values.append/get/update), as a mixin of GoogleStandIn: A1 ranges parsed and percent-decoded (a range
on a sheet the spreadsheet lacks is 400 "Unable to parse range"), valueInputOption required, appends
placed after the last row with exact updatedRange, FORMATTED_VALUE reads, `fields` masks applied,
batchUpdate bodies checked field by field and applied all or nothing, a duplicate sheet title (in any
letter case) refused with Google's 400."""
import random
import re
import secrets
import urllib.parse

from google_common import SCOPE_SHEETS
from standin import json_answer


def column_letters(index):
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters):
    value = 0
    for c in letters:
        value = value * 26 + ord(c) - 64
    return value - 1


A1 = re.compile(r"(?:(?P<sheet>'(?:[^']|'')+'|[^!':]+)!)?(?P<c1>[A-Z]*)(?P<r1>\d*)(?::(?P<c2>[A-Z]*)(?P<r2>\d*))?\Z")


def cell_text(value):
    """How Sheets shows a cell with FORMATTED_VALUE."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


SHEET_PROPERTIES = {"sheetId", "title", "index", "sheetType", "gridProperties", "hidden", "tabColor", "tabColorStyle",
                    "rightToLeft"}
BATCH_FIELDS = {"requests", "includeSpreadsheetInResponse", "responseRanges", "responseIncludeGridData"}


def parse_fields(text):
    """A `fields` mask ("sheets.properties(sheetId,title),spreadsheetId") as a tree of dicts; {} keeps all."""
    position = 0

    def parse_list(end):
        nonlocal position
        node = {}
        while True:
            match = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*").match(text, position)
            if not match:
                raise ValueError(text)
            position = match.end()
            leaf = node
            names = match.group(0).split(".")
            for name in names[:-1]:
                leaf = leaf.setdefault(name, {})
            sub = {}
            if position < len(text) and text[position] == "(":
                position += 1
                sub = parse_list(")")
            leaf[names[-1]] = sub if not leaf.get(names[-1]) else {**leaf[names[-1]], **sub}
            if position < len(text) and text[position] == ",":
                position += 1
                continue
            if end == ")":
                if position >= len(text) or text[position] != ")":
                    raise ValueError(text)
                position += 1
            elif position != len(text):
                raise ValueError(text)
            return node

    tree = parse_list(None)
    return tree


def apply_fields(value, tree):
    if not tree:
        return value
    if isinstance(value, list):
        return [apply_fields(v, tree) for v in value]
    if not isinstance(value, dict):
        return value
    return {k: apply_fields(v, tree[k]) for k, v in value.items() if k in tree}


class SheetsApi:
    def new_spreadsheet(self, title, sheet_titles):
        sid = secrets.token_urlsafe(33)[:44]
        self.spreadsheets[sid] = {"title": title, "sheets": {t: [] for t in sheet_titles}, "order": list(sheet_titles),
                                  "ids": {t: i for i, t in enumerate(sheet_titles)}}
        return sid

    @staticmethod
    def sheet_properties(book, title):
        return {"sheetId": book["ids"][title], "title": title, "index": book["order"].index(title), "sheetType": "GRID",
                "gridProperties": {"rowCount": max(1000, len(book["sheets"][title])), "columnCount": 26}}

    def spreadsheet_json(self, sid):
        book = self.spreadsheets[sid]
        return {"spreadsheetId": sid, "properties": {"title": book["title"], "locale": "en_US"},
                "sheets": [{"properties": self.sheet_properties(book, t)} for t in book["order"]],
                "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{sid}/edit"}

    def sheets_get_spreadsheet(self, request):
        denied = self.authorise(request, [SCOPE_SHEETS, SCOPE_SHEETS + ".readonly"], "sheets_read")
        if denied:
            return denied
        try:
            tree = parse_fields(request.arg("fields")) if request.arg("fields") else {}
        except ValueError:
            return self.api_error(request, 400, f"Invalid field selection {request.arg('fields')}", "badRequest")
        with self.data_lock:
            book, missing = self.book_for(request)
            if missing:
                return missing
            return json_answer(200, apply_fields(self.spreadsheet_json(request.match.group("id")), tree))

    def check_add_sheet(self, request, book, index, spec, added):
        """None when requests[index].addSheet can be applied after the sheets in added, else the error answer."""
        where = f"requests[{index}].addSheet"
        if not isinstance(spec, dict) or set(spec) - {"properties"}:
            return self.api_error(request, 400, f"Invalid JSON payload received. Unknown name in '{where}': "
                                  "Cannot find field.", "badRequest")
        properties = spec.get("properties", {})
        if not isinstance(properties, dict):
            return self.api_error(request, 400, f"Invalid value at '{where}.properties'", "badRequest")
        unknown = set(properties) - SHEET_PROPERTIES
        if unknown:
            return self.api_error(request, 400, f"Invalid JSON payload received. Unknown name \"{sorted(unknown)[0]}\" "
                                  f"at '{where}.properties': Cannot find field.", "badRequest")
        title = properties.get("title")
        if title is not None and (not isinstance(title, str) or title == ""):
            return self.api_error(request, 400, f"Invalid {where}: the sheet title must be non-empty text", "badRequest")
        taken = [t.lower() for t in book["order"]] + [t.lower() for t in added]
        if title is not None and title.lower() in taken:
            return self.api_error(request, 400, f"Invalid {where}: A sheet with the name \"{title}\" already exists. "
                                  "Please enter another name.", "badRequest")
        sheet_id = properties.get("sheetId")
        if sheet_id is not None and (not isinstance(sheet_id, int) or sheet_id < 0
                                     or sheet_id in book["ids"].values()):
            return self.api_error(request, 400, f"Invalid {where}: A sheet with the id {sheet_id} already exists "
                                  "or the id is not valid.", "badRequest")
        return None

    def sheets_batch_update(self, request):
        denied = self.authorise(request, [SCOPE_SHEETS], "sheets_write")
        if denied:
            return denied
        body = self.body_json(request)
        unknown = set(body) - BATCH_FIELDS
        if unknown:
            return self.api_error(request, 400, f"Invalid JSON payload received. Unknown name \"{sorted(unknown)[0]}\": "
                                  "Cannot find field.", "badRequest")
        requests = body.get("requests")
        if not isinstance(requests, list) or not requests:
            return self.api_error(request, 400, "Must specify at least one request.", "badRequest")
        with self.data_lock:
            book, missing = self.book_for(request)
            if missing:
                return missing
            added = []
            for index, one in enumerate(requests):
                if not isinstance(one, dict) or len(one) != 1:
                    return self.api_error(request, 400, f"Invalid value at 'requests[{index}]': exactly one request "
                                          "kind must be set", "badRequest")
                kind, spec = next(iter(one.items()))
                if kind != "addSheet":
                    return self.api_error(request, 400, f"requests[{index}].{kind}: the stand-in implements addSheet "
                                          "only", "badRequest")
                bad = self.check_add_sheet(request, book, index, spec, [p.get("title") for p in added if p.get("title")])
                if bad:
                    return bad
                added.append(dict(spec.get("properties", {})))
            replies = []
            for properties in added:               # all checked: apply all
                title = properties.get("title")
                number = len(book["order"]) + 1
                while not title:
                    candidate = f"Sheet{number}"
                    title = candidate if candidate.lower() not in [t.lower() for t in book["order"]] else None
                    number += 1
                sheet_id = properties.get("sheetId")
                while sheet_id is None or sheet_id in book["ids"].values():
                    sheet_id = random.randrange(1, 2 ** 31)
                book["order"].append(title)
                book["sheets"][title] = []
                book["ids"][title] = sheet_id
                replies.append({"addSheet": {"properties": self.sheet_properties(book, title)}})
            answer = {"spreadsheetId": request.match.group("id"), "replies": replies}
            if body.get("includeSpreadsheetInResponse"):
                answer["updatedSpreadsheet"] = self.spreadsheet_json(request.match.group("id"))
            return json_answer(200, answer)

    def sheets_create(self, request):
        denied = self.authorise(request, [SCOPE_SHEETS], "sheets_write")
        if denied:
            return denied
        body = self.body_json(request)
        titles = [s["properties"]["title"] for s in body.get("sheets", [])] or ["Sheet1"]
        with self.data_lock:
            sid = self.new_spreadsheet(body.get("properties", {}).get("title", "Untitled spreadsheet"), titles)
            return json_answer(200, self.spreadsheet_json(sid))

    def parse_range(self, request, book):
        text = urllib.parse.unquote(request.match.group("range"))
        if "!" not in text and not re.match(r"[A-Z]*\d*(:[A-Z]*\d*)?\Z", text):
            text_for_match = text + "!A:ZZZ"      # a bare sheet name is the whole sheet
        else:
            text_for_match = text
        match = A1.match(text_for_match)
        if not match:
            return None, self.api_error(request, 400, f"Unable to parse range: {text}", "badRequest")
        sheet = match.group("sheet")
        if sheet is None:
            sheet = book["order"][0]
        elif sheet.startswith("'"):
            sheet = sheet[1:-1].replace("''", "'")
        if sheet not in book["sheets"]:
            return None, self.api_error(request, 400, f"Unable to parse range: {text}", "badRequest")
        c1 = column_index(match.group("c1")) if match.group("c1") else 0
        return {"text": text, "cells": text_for_match.split("!")[-1], "sheet": sheet, "c1": c1, "r1": int(match.group("r1") or 1) - 1,
                "c2": column_index(match.group("c2")) if match.group("c2") else None,
                "r2": int(match.group("r2")) - 1 if match.group("r2") else None}, None

    def book_for(self, request):
        book = self.spreadsheets.get(request.match.group("id"))
        if not book:
            return None, self.api_error(request, 404, "Requested entity was not found.", "notFound", "NOT_FOUND")
        return book, None

    def check_values(self, request, body, where):
        values = body.get("values")
        if not isinstance(values, list) or not all(isinstance(row, list) for row in values):
            return self.api_error(request, 400, "Invalid values: 'values' must be a list of lists", "badRequest")
        for row in values:
            for cell in row:
                if cell is not None and not isinstance(cell, (str, int, float, bool)):
                    return self.api_error(request, 400, f"Invalid value at 'data.values' ({where})", "badRequest")
        if body.get("range") is not None and body["range"] != urllib.parse.unquote(request.match.group("range")):
            return self.api_error(request, 400, "Requested writing within range but tried writing outside it",
                                  "badRequest")
        if request.arg("valueInputOption") not in ("RAW", "USER_ENTERED"):
            return self.api_error(request, 400, "'valueInputOption' is required but not specified", "badRequest")
        return None

    def sheets_append(self, request):
        denied = self.authorise(request, [SCOPE_SHEETS], "sheets_write")
        if denied:
            return denied
        body = self.body_json(request)
        with self.data_lock:
            book, missing = self.book_for(request)
            if missing:
                return missing
            where, bad = self.parse_range(request, book)
            bad = bad or self.check_values(request, body, "append")
            if bad:
                return bad
            if request.arg("insertDataOption", "OVERWRITE") not in ("OVERWRITE", "INSERT_ROWS"):
                return self.api_error(request, 400, "Invalid insertDataOption", "badRequest")
            rows = book["sheets"][where["sheet"]]
            table_rows = len(rows)
            table_columns = max((len(r) for r in rows), default=0)
            start = table_rows
            for row in body["values"]:
                rows.append([""] * where["c1"] + [cell_text(c) if c is not None else "" for c in row])
            width = max((len(r) for r in body["values"]), default=0)
            name = where["sheet"] if re.match(r"^\w+$", where["sheet"]) else "'" + where["sheet"] + "'"
            first = column_letters(where["c1"])
            updated = f"{name}!{first}{start + 1}:{column_letters(where['c1'] + max(width, 1) - 1)}" \
                      f"{start + len(body['values'])}"
            answer = {"spreadsheetId": request.match.group("id"),
                      "updates": {"spreadsheetId": request.match.group("id"), "updatedRange": updated,
                                  "updatedRows": len(body["values"]), "updatedColumns": width,
                                  "updatedCells": sum(len(r) for r in body["values"])}}
            if table_rows:
                answer["tableRange"] = f"{name}!A1:{column_letters(max(table_columns, 1) - 1)}{table_rows}"
            return json_answer(200, answer)

    def sheets_update(self, request):
        denied = self.authorise(request, [SCOPE_SHEETS], "sheets_write")
        if denied:
            return denied
        body = self.body_json(request)
        with self.data_lock:
            book, missing = self.book_for(request)
            if missing:
                return missing
            where, bad = self.parse_range(request, book)
            bad = bad or self.check_values(request, body, "update")
            if bad:
                return bad
            rows = book["sheets"][where["sheet"]]
            for i, row in enumerate(body["values"]):
                r = where["r1"] + i
                while len(rows) <= r:
                    rows.append([])
                line = rows[r]
                for j, cell in enumerate(row):
                    c = where["c1"] + j
                    while len(line) <= c:
                        line.append("")
                    if cell is not None:
                        line[c] = cell_text(cell)
            width = max((len(r) for r in body["values"]), default=0)
            return json_answer(200, {"spreadsheetId": request.match.group("id"), "updatedRange": where["text"],
                                     "updatedRows": len(body["values"]), "updatedColumns": width,
                                     "updatedCells": sum(len(r) for r in body["values"])})

    def sheets_get(self, request):
        denied = self.authorise(request, [SCOPE_SHEETS, SCOPE_SHEETS + ".readonly"], "sheets_read")
        if denied:
            return denied
        with self.data_lock:
            book, missing = self.book_for(request)
            if missing:
                return missing
            where, bad = self.parse_range(request, book)
            if bad:
                return bad
            rows = book["sheets"][where["sheet"]]
            last_row = len(rows) if where["r2"] is None else min(len(rows), where["r2"] + 1)
            values = []
            for row in rows[where["r1"]:last_row]:
                end = len(row) if where["c2"] is None else where["c2"] + 1
                cells = row[where["c1"]:end]
                while cells and cells[-1] == "":
                    cells.pop()
                values.append(cells)
            while values and not values[-1]:
                values.pop()
            answer = {"range": f"{where['sheet']}!{where['cells']}", "majorDimension": "ROWS"}
            if values:
                answer["values"] = values
            return json_answer(200, answer)
