"""The kraft stack program: `pulumi up --stack dev|staging|prod`."""

from kraft_component.stack import run

run()
