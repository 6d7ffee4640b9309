"""The ``carecircles`` command line (API_CONTRACT.md). Each command lives in service/commands/."""

from __future__ import annotations

import typer

from service.commands import db, import_services, notices, rota, seed, serve, solve, users
from service.config import BadSettings, read_settings

app = typer.Typer(
    name="carecircles",
    help="CareCircles: consistent care circles for people at risk of loneliness.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def read_settings_once(ctx: typer.Context) -> None:
    """Every command starts by reading the settings (CARECIRCLES_* variables), once, into
    ``ctx.obj``; a bad value ends it with a one-line message naming the variable, exit code 2
    (no traceback)."""
    try:
        ctx.obj = read_settings()
    except BadSettings as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


app.command("solve")(solve.solve)
app.command("seed")(seed.seed)
app.command("serve")(serve.serve)
app.command("import-services")(import_services.import_services)
app.command("export-services")(import_services.export_services_command)
app.add_typer(db.app, name="db")
app.add_typer(rota.app, name="rota")
app.add_typer(users.app, name="users")
app.add_typer(notices.app, name="notices")

if __name__ == "__main__":
    app()
