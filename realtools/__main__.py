"""`python -m realtools [FOLDER]` (bin/real-tools): build or reuse every tool, link them into FOLDER
(default .real-tools/bin), and print where they are and what each build took."""

import argparse
import json
import sys
from pathlib import Path

from . import gotools, toolset


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bin/real-tools", description=__doc__)
    parser.add_argument("folder", nargs="?", default=str(toolset.ROOT / ".real-tools" / "bin"))
    args = parser.parse_args(argv)
    try:
        folder = toolset.assemble(Path(args.folder), log=lambda line: print(line, file=sys.stderr))
    except gotools.MissingPrerequisite as error:
        print(f"real-tools: {error}", file=sys.stderr)
        return 2
    for tool in toolset.go_tools().values():
        print(f"{tool.key}: {tool.entry()} {json.dumps(gotools.build_record(tool))}", file=sys.stderr)
    print(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
