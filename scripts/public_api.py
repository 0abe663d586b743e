#!/usr/bin/env python3
"""public_api.py — the public surface of the oxicard crates, from rustdoc's JSON output.

    scripts/public-api.sh [list|count|check]     (builds the JSON, then runs this script)
    python3 scripts/public_api.py DOC_DIR [list|count|check]

`list` prints every public path with its kind, `count` the number of public items per crate
(paths, and methods / fields / variants), `check` fails (exit 1) on what issue 13 §3 keeps out
of a surface meant to last:

- a type or function reachable by two public paths (`pub mod x` beside `pub use x::Item`);
- a glob re-export (`pub use x::*`);
- two public types (struct, enum, trait, type alias, union) of one name in one crate;
- a re-export of another workspace crate's item from a library crate (the facade re-exports
  whole crates, `pub use oxicard_apdu as apdu`, and nothing else);
- a public grab-bag module (`util`, `utils`, `helpers`, `common`, `misc`, `der_util`).

rustdoc's JSON is unstable (`-Z unstable-options --output-format json`): the script reads only
the basic shape (`index`, `root`, module `items`, `use` items, `impls`) and says so when a
toolchain changes it.
"""

import json
import os
import sys
from collections import defaultdict

CRATES = [
    "oxicard_transport",
    "oxicard_apdu",
    "oxicard_secure_channel",
    "oxicard_euicc",
    "oxicard_gp",
    "oxicard_sim",
    "oxicard",
]
FACADE = "oxicard"
TYPE_KINDS = {"struct", "enum", "trait", "type_alias", "union"}
GRAB_BAG = {"util", "utils", "helpers", "helper", "common", "misc", "der_util"}


class Surface:
    """The public paths of one crate."""

    def __init__(self, doc):
        self.index = doc["index"]
        self.paths = defaultdict(list)  # item id -> [(path, kind)]
        self.globs = []  # (module path, source)
        self.foreign = []  # (path, source)
        self.members = 0  # methods, associated items, fields, variants

    def item(self, item_id):
        return self.index.get(str(item_id)) if item_id is not None else None

    @staticmethod
    def kind(item):
        return next(iter(item["inner"]))

    def walk(self, module_id, prefix, stack=()):
        if (module_id, prefix) in stack or len(stack) > 16:
            return
        stack = stack + ((module_id, prefix),)
        module = self.item(module_id)
        for item_id in module["inner"]["module"]["items"]:
            item = self.item(item_id)
            if item is None or item.get("visibility") != "public":
                continue
            kind = self.kind(item)
            if kind == "use":
                use = item["inner"]["use"]
                target = self.item(use["id"])
                if target is None or target.get("crate_id") != 0:
                    self.foreign.append((f"{prefix}::{use['name']}", use["source"], use["is_glob"]))
                    continue
                if use["is_glob"]:
                    self.globs.append((prefix, use["source"]))
                    if self.kind(target) == "module":
                        self.walk(use["id"], prefix, stack)
                    continue
                self.add(use["id"], f"{prefix}::{use['name']}", stack)
            else:
                self.add(item_id, f"{prefix}::{item['name']}", stack)

    def add(self, item_id, path, stack):
        item = self.item(item_id)
        kind = self.kind(item)
        first = item_id not in self.paths
        self.paths[item_id].append((path, kind))
        if kind == "module":
            self.walk(item_id, path, stack)
        elif first:
            self.members += self.count_members(item, kind)

    def count_members(self, item, kind):
        inner = item["inner"][kind]
        count = 0
        if kind == "struct":
            plain = inner.get("kind", {})
            fields = []
            if isinstance(plain, dict):
                if "plain" in plain:
                    fields = plain["plain"].get("fields", [])
                elif "tuple" in plain:
                    fields = [f for f in plain["tuple"] if f is not None]
            count += sum(1 for f in fields if (self.item(f) or {}).get("visibility") == "public")
        if kind == "enum":
            count += len(inner.get("variants", []))
        if kind == "trait":
            count += len(inner.get("items", []))
        for impl_id in inner.get("impls", []) if kind in ("struct", "enum", "union") else []:
            impl = (self.item(impl_id) or {}).get("inner", {}).get("impl", {})
            if impl.get("trait") is not None or impl.get("is_synthetic") or impl.get("blanket_impl"):
                continue
            count += sum(
                1 for m in impl.get("items", []) if (self.item(m) or {}).get("visibility") == "public"
            )
        return count


def load(doc_dir, crate):
    with open(os.path.join(doc_dir, f"{crate}.json"), encoding="utf-8") as f:
        doc = json.load(f)
    for key in ("index", "root", "format_version"):
        if key not in doc:
            sys.exit(f"public_api.py: {crate}.json has no `{key}`: rustdoc's JSON format changed")
    surface = Surface(doc)
    surface.walk(doc["root"], crate)
    return surface


# Sibling modules of one protocol family whose types mirror each other by design: the same role
# in two versions of a protocol (`scp02::Handshake`, `scp03::Handshake`), always named through
# their module. A name shared across them is not an ambiguity.
MIRRORED_MODULES = {"scp02", "scp03"}


def mirrored(paths):
    """Whether `paths` are one name, each in a different module of MIRRORED_MODULES."""
    parents = [p.rsplit("::", 2)[-2] if p.count("::") >= 2 else "" for p in paths]
    return all(parent in MIRRORED_MODULES for parent in parents) and len(set(parents)) == len(parents)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    doc_dir = sys.argv[1]
    mode = sys.argv[2] if len(sys.argv) > 2 else "check"
    problems = []
    totals = [0, 0]
    for crate in CRATES:
        surface = load(doc_dir, crate)
        if mode == "list":
            for item_id, paths in sorted(surface.paths.items(), key=lambda kv: kv[1][0][0]):
                for path, kind in paths:
                    print(f"{kind:10} {path}")
            for path, source, glob in surface.foreign:
                print(f"{'re-export':10} {path} = {source}{'::*' if glob else ''}")
            continue
        if mode == "count":
            n = len(surface.paths)
            totals[0] += n
            totals[1] += surface.members
            print(f"{crate:24} {n:5} items {surface.members:6} methods/fields/variants")
            continue
        names = defaultdict(set)
        for item_id, paths in surface.paths.items():
            if len(paths) > 1:
                problems.append(f"{crate}: one item, several public paths: {', '.join(p for p, _ in paths)}")
            path, kind = paths[0]
            if kind in TYPE_KINDS:
                names[path.rsplit("::", 1)[-1]].add(path)
            if kind == "module" and path.rsplit("::", 1)[-1] in GRAB_BAG:
                problems.append(f"{crate}: public grab-bag module {path}")
        for name, paths in sorted(names.items()):
            if len(paths) > 1 and not mirrored(paths):
                problems.append(f"{crate}: public types named `{name}`: {', '.join(sorted(paths))}")
        for module, source in surface.globs:
            problems.append(f"{crate}: glob re-export in {module}: pub use {source}::*")
        for path, source, glob in surface.foreign:
            if glob:
                problems.append(f"{crate}: glob re-export in {path}: pub use {source}::*")
            elif crate != FACADE and source.split("::")[0].startswith("oxicard"):
                problems.append(f"{crate}: re-export of another crate's item: {path} = {source}")
            elif crate == FACADE and "::" in source:
                problems.append(f"{crate}: the facade re-exports whole crates only: {path} = {source}")
    if mode == "count":
        print(f"{'total':24} {totals[0]:5} items {totals[1]:6} methods/fields/variants")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(f"public_api.py: {len(problems)} problem(s) in the public surface", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
