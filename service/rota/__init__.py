"""The weekly rota: plan the week's visits, solve out of process, store a draft, publish, export."""
