"""`json` (one document) and `jsonl` (one object per line) renderings of an
audit, in the schema of checker.serialize."""
from __future__ import annotations

from ..model import PostResult, Rejected, Summary
from ..serialize import SCHEMA_VERSION, json_dumps, rejected_to_dict, result_to_dict, summary_to_dict
from .base import Reporter


def _dump(data: dict) -> str:
    return json_dumps(data, sort_keys=False)


class JsonLinesReporter(Reporter):
    def post(self, result: PostResult) -> None:
        self.out.write(_dump(result_to_dict(result)) + "\n")

    def rejected(self, rejected: Rejected) -> None:
        self.out.write(_dump(rejected_to_dict(rejected)) + "\n")

    def finish(self, summary: Summary) -> None:
        data = summary_to_dict(summary)
        data["packs"] = list(self.context.packs)
        data["tool_version"] = self.context.tool_version
        data["file_errors"] = [rejected_to_dict(r) for r in summary.file_errors]
        self.out.write(_dump(data) + "\n")


class JsonReporter(Reporter):
    def __init__(self, context) -> None:
        super().__init__(context)
        self.posts: list[dict] = []
        self.rejections: list[dict] = []

    def post(self, result: PostResult) -> None:
        self.posts.append(result_to_dict(result))

    def rejected(self, rejected: Rejected) -> None:
        self.rejections.append(rejected_to_dict(rejected))

    def finish(self, summary: Summary) -> None:
        document = {
            "schema": SCHEMA_VERSION,
            "tool": {"name": "clearlabel", "version": self.context.tool_version, "packs": list(self.context.packs)},
            "posts": self.posts,
            "rejected": self.rejections,
            "file_errors": [rejected_to_dict(r) for r in summary.file_errors],
            "summary": summary_to_dict(summary),
        }
        self.out.write(json_dumps(document, indent=2) + "\n")
