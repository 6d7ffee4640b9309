"""The weekly rota: plan the week's visits, solve, store a draft with its reasons, publish, export."""
