"""``carecircles users add``: create a user and print a bearer token as the last line."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer

from graph.store import GraphError, open_store
from service.accounts.auth import ROLES
from service.config import secret_key

app = typer.Typer(help="Manage users.", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    role: Annotated[str, typer.Option("--role", help=", ".join(ROLES))],
    email: Annotated[str, typer.Option("--email", help="sign-in email")],
    password: Annotated[
        str | None, typer.Option("--password", help="at least 8 characters (default: generated)")
    ] = None,
    person_id: Annotated[
        str | None, typer.Option("--person-id", help="the Person a 'person' user is")
    ] = None,
    volunteer_id: Annotated[
        str | None, typer.Option("--volunteer-id", help="the Volunteer a 'volunteer' user is")
    ] = None,
    organization: Annotated[
        str | None,
        typer.Option(
            "--organization",
            help="organisation id, made when it does not exist yet (coordinators and link "
            "workers default to the demo's organisation of their role, or the only one)",
        ),
    ] = None,
) -> None:
    """Create a user; prints the password when generated, and a bearer token last."""
    if role not in ROLES:
        raise typer.BadParameter(
            f"expected one of {', '.join(ROLES)}, got {role!r}", param_hint="--role"
        )
    if person_id and volunteer_id:
        raise typer.BadParameter(
            "give --person-id or --volunteer-id, not both", param_hint="--person-id"
        )
    from service.accounts.users import UserInputError, create_user, token_for  # loads the API types

    settings = ctx.obj
    generated = password is None
    chosen = password or secrets.token_urlsafe(12)
    try:
        store = open_store(settings)
    except GraphError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    try:
        user = create_user(
            store=store,
            email=email,
            password=chosen,
            role=role,
            person_id=person_id,
            volunteer_id=volunteer_id,
            organization_id=organization,
            create_organization=True,
        )
    except UserInputError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    finally:
        store.close()
    typer.echo(f"created {user.role} {user.email} (id {user.id})")
    if user.organization_id:
        typer.echo(f"organisation: {user.organization_id}")
    if generated:
        typer.echo(f"password: {chosen}")
    typer.echo(token_for(key=secret_key(settings), user_id=user.id))
