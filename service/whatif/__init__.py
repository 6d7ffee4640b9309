"""What-if: scenarios of a week compared with it, and where one more volunteer helps most."""
