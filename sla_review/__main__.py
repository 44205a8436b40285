from sla_review.cli import main

raise SystemExit(main())
