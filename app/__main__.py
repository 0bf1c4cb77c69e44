"""`python -m app`: start the Octet desktop window."""
import sys

from app.main import main

if __name__ == "__main__":
    sys.exit(main())
