"""Why the rule-pack loader refuses some regular expressions: their time on
one long token, against the patterns it accepts.

    python bench/regex_guard.py [--length N]

Prints, for each refused pattern (on a short input, since they explode) and
each accepted one (on a token as long as the tokenizer ever makes), the
seconds `re.search` took. Timings depend on the machine: that is why they
live here and the tests only check which patterns the guard refuses.
"""
from __future__ import annotations

import argparse
import re
import time

from checker.nlp import MAX_TOKEN_CHARS
from checker.packs import regex_risk

REFUSED = ["^(a|aa)+$", "^(a+)+$", "(a|a)*$", "^(?:a|b|ab)*c", "a*a*a*b"]
ACCEPTED = ["^@", "^[^\\w#]", "^#[a-z0-9_]{3,}(partner|ambassador)$", "[ab]+", "^a{2,5}$", "\\w+x",
            "^.{0,19}[a-z].{0,19}[0-9_]|^.{0,19}[0-9_].{0,19}[a-z]"]


def _seconds(pattern: str, text: str) -> float:
    started = time.perf_counter()
    re.search(pattern, text)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=24, help="characters given to the refused patterns")
    args = parser.parse_args()
    short = "a" * args.length + "!"
    long_token = "a" * MAX_TOKEN_CHARS + "!"
    print(f"refused patterns on {len(short)} characters:")
    for pattern in REFUSED:
        print(f"  {pattern:<40} {_seconds(pattern, short):9.4f} s   ({regex_risk(pattern)})")
    print(f"accepted patterns on a {len(long_token)}-character token:")
    for pattern in ACCEPTED:
        assert regex_risk(pattern) is None, pattern
        print(f"  {pattern:<40} {_seconds(pattern, long_token):9.6f} s")
    slowest_refused = max(_seconds(p, short) for p in REFUSED)
    slowest_accepted = max(_seconds(p, long_token) for p in ACCEPTED)
    print(f"slowest refused / slowest accepted: {slowest_refused / max(slowest_accepted, 1e-9):,.0f}x "
          f"(on an input {len(long_token) // len(short)}x shorter)")


if __name__ == "__main__":
    main()
