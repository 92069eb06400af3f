"""The bundle's entry point: the same `saldo` command as the console script."""

import sys

if __name__ == "__main__":
    if sys.argv[1:] == ["--saldo-check-xml"]:  # wellformed.HELPER_FLAG: the bundle as the XML helper
        from desktop_app.core.imports.wellformed import main as check_xml

        check_xml()
        sys.exit()
    from desktop_app.cli import main

    sys.exit(main())
