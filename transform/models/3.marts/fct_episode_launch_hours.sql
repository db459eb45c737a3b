{{ touched_keys_config(['episode_id'], 'int_episode_keys_touched') }}
{#
  The first day of the launch curve by hour (methodology, rule 11): per catalogued episode
  and whole hour since `published_at` (0-23), the plays that started in it, their distinct
  listeners and the plays since release. Only hours with plays have a row.
#}
{{ launch_curve('hours_since_release', 3600, last_bucket=23) }}
