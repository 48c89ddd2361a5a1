#!/app/bin/python3.11
"""A small Python program, run by the Python bundled in its image."""
import argparse
import json
import sys


def main():
    parser = argparse.ArgumentParser(description="Greets, in JSON.")
    parser.add_argument("name", nargs="?", default="world")
    parser.add_argument("--where", action="store_true", help="say which Python runs")
    parser.add_argument("--modules", action="store_true",
                        help="list the byte-code file of every module imported")
    args = parser.parse_args()
    print(json.dumps({"hello": args.name}))
    if args.where:
        print("executable:", sys.executable)
        print("prefix:", sys.prefix)
        print("version:", sys.version.split()[0])
    if args.modules:
        for name, module in sorted(sys.modules.items()):
            cached = getattr(module, "__cached__", None)
            if cached:
                print("module:", name, cached)


if __name__ == "__main__":
    main()
