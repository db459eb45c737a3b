{{ touched_keys_config(['episode_id'], 'int_episode_keys_touched') }}
{#
  The launch curve (methodology, rule 11): per catalogued episode and whole day since its
  release (`published_at`, the feed's pubDate), the plays that started that day, their
  distinct listeners, and the plays since release. Day 0 is the first 24 hours after
  `published_at`, not the calendar day; a play before the release time (an early-access
  app, a wrong pubDate) falls on a negative day rather than being dropped. Only days with
  plays have a row.
#}
{{ launch_curve('days_since_release', 86400) }}
