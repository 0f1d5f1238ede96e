"""`json` (one document) and `jsonl` (one object per line) renderings of an
audit, in the schema of checker.serialize."""
from __future__ import annotations

from ..model import PostResult, Rejected, Summary
from ..serialize import SCHEMA_VERSION, json_dumps, rejected_to_dict, result_to_dict, summary_to_dict
from .base import Reporter


def _dump(data: dict) -> str:
    return json_dumps(data, sort_keys=False)


def render_jsonl(result: PostResult) -> str:
    """One post's line of the JSON Lines report."""
    return _dump(result_to_dict(result)) + "\n"


# Where the posts of a JSON report sit: two levels down (the document, its
# "posts" list), so each line of a post's own indented dump moves right.
_POST_INDENT = " " * 4
_EMPTY_POSTS = '"posts": []'


def render_json(result: PostResult) -> str:
    """One post of the JSON report, indented as it sits in the document."""
    return _POST_INDENT + json_dumps(result_to_dict(result), indent=2).replace("\n", "\n" + _POST_INDENT)


class JsonLinesReporter(Reporter):
    renderer = staticmethod(render_jsonl)

    def post(self, result: PostResult) -> None:
        self.out.write(render_jsonl(result))

    def rendered(self, text: str, fails: bool) -> None:
        self.out.write(text)

    def rejected(self, rejected: Rejected) -> None:
        self.out.write(_dump(rejected_to_dict(rejected)) + "\n")

    def finish(self, summary: Summary) -> None:
        data = summary_to_dict(summary)
        data["packs"] = list(self.context.packs)
        data["tool_version"] = self.context.tool_version
        data["file_errors"] = [rejected_to_dict(r) for r in summary.file_errors]
        self.out.write(_dump(data) + "\n")


class JsonReporter(Reporter):
    """The whole audit as one indented document. Posts are kept as their
    rendered text and spliced into the document at the end, which gives
    the bytes `json.dumps(document, indent=2)` would."""
    renderer = staticmethod(render_json)

    def __init__(self, context) -> None:
        super().__init__(context)
        self.posts: list[str] = []
        self.rejections: list[dict] = []

    def post(self, result: PostResult) -> None:
        self.posts.append(render_json(result))

    def rendered(self, text: str, fails: bool) -> None:
        self.posts.append(text)

    def rejected(self, rejected: Rejected) -> None:
        self.rejections.append(rejected_to_dict(rejected))

    def finish(self, summary: Summary) -> None:
        document = {
            "schema": SCHEMA_VERSION,
            "tool": {"name": "clearlabel", "version": self.context.tool_version, "packs": list(self.context.packs)},
            "posts": [],
            "rejected": self.rejections,
            "file_errors": [rejected_to_dict(r) for r in summary.file_errors],
            "summary": summary_to_dict(summary),
        }
        text = json_dumps(document, indent=2)
        if self.posts:
            # The first '"posts": []' is the key: in any string value its quotes are escaped.
            text = text.replace(_EMPTY_POSTS, '"posts": [\n' + ",\n".join(self.posts) + "\n  ]", 1)
        self.out.write(text + "\n")
