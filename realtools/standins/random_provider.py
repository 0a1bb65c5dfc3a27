"""Stand-in for pulumi-resource-random: RandomId and RandomPassword."""

import base64
import secrets
import string

from .provider import ImmutableProvider, Kind, Properties, serve

SPECIAL = "!@#$%&*()-_=+[]{}<>:?"  # the Terraform provider's default special characters


def random_id(inputs: Properties) -> tuple[str, Properties]:
    """`byteLength` random bytes in the encodings the provider outputs; the ID is the base64url form."""
    data = secrets.token_bytes(int(inputs["byteLength"]))
    prefix = inputs.get("prefix", "")
    b64_url = base64.urlsafe_b64encode(data).decode().rstrip("=")
    outputs = {
        "b64Url": prefix + b64_url,
        "b64Std": prefix + base64.b64encode(data).decode(),
        "hex": prefix + data.hex(),
        "dec": prefix + str(int.from_bytes(data, "big")),
    }
    return b64_url, outputs


def password_alphabets(inputs: Properties) -> list[tuple[str, int]]:
    """Each enabled character class and the minimum count of it."""
    classes = [
        ("lower", string.ascii_lowercase, "minLower"),
        ("upper", string.ascii_uppercase, "minUpper"),
        ("numeric", string.digits, "minNumeric"),
        ("special", inputs.get("overrideSpecial") or SPECIAL, "minSpecial"),
    ]
    return [(alphabet, int(inputs.get(minimum, 0))) for flag, alphabet, minimum in classes if inputs.get(flag, True)]


def random_password(inputs: Properties) -> tuple[str, Properties]:
    """A password of `length` characters from the enabled classes, each at least its minimum."""
    length, alphabets = int(inputs["length"]), password_alphabets(inputs)
    chosen = [secrets.choice(alphabet) for alphabet, minimum in alphabets for _ in range(minimum)]
    pool = "".join(alphabet for alphabet, _ in alphabets)
    chosen += [secrets.choice(pool) for _ in range(length - len(chosen))]
    secrets.SystemRandom().shuffle(chosen)
    return "none", {"result": "".join(chosen)}


PASSWORD_DEFAULTS = {"lower": True, "upper": True, "numeric": True, "number": True, "special": True}
KINDS = {
    "random:index/randomId:RandomId": Kind(defaults={}, make=random_id),
    "random:index/randomPassword:RandomPassword": Kind(
        defaults=PASSWORD_DEFAULTS | dict.fromkeys(("minLower", "minUpper", "minNumeric", "minSpecial"), 0),
        make=random_password,
    ),
}


def main(*_arguments: str) -> None:
    """Serve the stand-in (the engine passes its address, which a provider without callbacks ignores)."""
    serve(ImmutableProvider("random", "pulumi_random", KINDS))
