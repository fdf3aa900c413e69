from shoko.cli import main

raise SystemExit(main())
