import sys

from podcast_analytics.cli import main

sys.exit(main())
