"""Tables in rendered Markdown (the algorithm page) as the table component
renders them: its classes, a scroll container, and every cell labelled with
its column's header for the narrow-screen card layout."""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor


class _TableComponent(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            for index, table in enumerate(list(parent)):
                if table.tag != "table":
                    continue
                table.set("class", "utrecht-table utrecht-table--html-table mm-table")
                headers = ["".join(th.itertext()).strip() for th in table.iterfind("thead/tr/th")]
                for row in table.iterfind("tbody/tr"):
                    for cell, header in zip(row.findall("td"), headers, strict=False):
                        cell.set("data-label", header)
                # A region one can scroll with the keyboard, named by its first header.
                container = etree.Element(
                    "div",
                    {
                        "class": "mm-table-container",
                        "tabindex": "0",
                        "role": "region",
                        "aria-label": headers[0] if headers else "",
                    },
                )
                parent.remove(table)
                container.append(table)
                parent.insert(index, container)


class TableComponentExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(_TableComponent(md), "maakmatch_tables", 5)
