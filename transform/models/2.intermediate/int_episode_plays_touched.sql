{{ config(materialized="ephemeral") }}
-- The plays the ad-reach marts recompute on an incremental run: every play of a touched
-- episode and every play of a touched (day, podcast) (int_episode_keys_touched), so each
-- touched key is recomputed from all its plays.
with plays as {{ not_materialized() }} (

    select * from {{ ref('fct_episode_plays') }}

),

keys as (

    select * from {{ ref('int_episode_keys_touched') }}

),

touched_days as (

    select distinct keys.event_date, keys.podcast_id
    from keys
    where keys.event_date is not null

),

touched as (

    select plays.*
    from plays
    where plays.episode_id in (select keys.episode_id from keys)
    union distinct
    select plays.*
    from plays
    inner join touched_days
        on plays.event_date = touched_days.event_date
        and plays.podcast_id = touched_days.podcast_id

)

select * from touched  -- noqa: AM04
