"""A plain pulumi_kubernetes program: the objects of `resources.json` beside it (written by
benchmarks/bench_real.py from what `render` produces for a stack, realtools.stacks.plain_program), each a typed
resource with literal arguments and the options the component gives it. No component, no kraft code."""

import json
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

SECRET = "__secret__"  # realtools.stacks.PLAIN_SECRET


def literal(value: Any) -> Any:
    """An argument as a program writes it: plain values, each secret an Output.secret."""
    if isinstance(value, dict):
        if SECRET in value:
            return pulumi.Output.secret(literal(value[SECRET]))
        return {key: literal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [literal(item) for item in value]
    return value


def snake(key: str) -> str:
    """`stringData` -> `string_data`, the typed classes' argument names."""
    return "".join(f"_{char.lower()}" if char.isupper() else char for char in key)


def register(item: dict[str, Any], made: dict[str, pulumi.Resource]) -> pulumi.Resource:
    """One object as its typed class (`kubernetes:apps/v1:StatefulSet` -> k8s.apps.v1.StatefulSet); an object
    of another project's CRDs as a CustomResource."""
    _, module, kind = item["type"].split(":")
    group, version = module.rsplit("/", 1)
    args = {key: literal(value) for key, value in item["args"].items()}
    package = getattr(k8s, group.split(".")[0], None)
    resource = getattr(getattr(package, version, None), kind, None)
    if resource is None:
        resource = k8s.apiextensions.CustomResource
    else:
        del args["apiVersion"], args["kind"]  # the typed class sets them
    options = item["options"]
    timeouts = options["custom_timeouts"]
    opts = pulumi.ResourceOptions(
        protect=options["protect"],
        delete_before_replace=options["delete_before_replace"],
        retain_on_delete=options["retain_on_delete"],
        depends_on=[made[name] for name in options["depends_on"]],
        ignore_changes=options["ignore_changes"] or None,
        custom_timeouts=pulumi.CustomTimeouts(**timeouts) if timeouts else None,
    )
    created: pulumi.Resource = resource(item["name"], opts=opts, **{snake(key): value for key, value in args.items()})
    return created


made: dict[str, pulumi.Resource] = {}
for item in json.loads((Path(__file__).parent / "resources.json").read_text()):
    made[item["name"]] = register(item, made)
