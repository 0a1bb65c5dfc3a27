"""`python -m realtools [FOLDER]` (bin/real-tools): build or reuse every tool, link them into FOLDER
(default .real-tools): FOLDER/bin for PATH, FOLDER/plugins for `pulumi plugin install --file`. Prints what
each build took (from its cache entry) and the folder for PATH."""

import argparse
import json
import sys
from pathlib import Path

from . import gotools, toolset
from .prerequisites import MissingPrerequisite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bin/real-tools", description=__doc__)
    parser.add_argument("folder", nargs="?", default=str(toolset.ROOT / ".real-tools"))
    parser.add_argument("--python-programs", action="store_true", help="only the tools the tier's Python programs need")
    args = parser.parse_args(argv)
    names = toolset.PYTHON_PROGRAMS if args.python_programs else None
    try:
        tools = toolset.assemble(Path(args.folder), names, log=lambda line: print(line, file=sys.stderr))
    except MissingPrerequisite as error:
        print(f"real-tools: {error}", file=sys.stderr)
        return 2
    for tool in toolset.go_tools().values():
        print(f"{tool.key}: {tool.entry()} {json.dumps(gotools.build_record(tool))}", file=sys.stderr)
    for (kind, name), (version, path) in tools.plugins.items():
        print(f"{kind} plugin {name} {version}: {path}", file=sys.stderr)
    print(tools.bin)
    return 0


if __name__ == "__main__":
    sys.exit(main())
