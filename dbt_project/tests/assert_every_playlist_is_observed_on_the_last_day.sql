{{ config(severity='warn') }}
-- Coverage of the last run day: every playlist flagged by int_playlist_coverage_flags
-- (not observed on the last run day, or its entries dropped below half since its
-- previous observation). A warning: the marts are still right, the history has a gap.

select * from {{ ref('int_playlist_coverage_flags') }}
