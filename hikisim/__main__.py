"""``python -m hikisim`` runs the command line."""

from hikisim.cli import main

main()
