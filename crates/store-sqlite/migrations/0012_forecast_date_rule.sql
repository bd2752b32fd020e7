-- How each forecast line's periods are dated: 'last_working_day' (the period before the finish:
-- work, and a milestone reached by finishing work, dated on that work's last day) or
-- 'on_the_period' (a milestone reached otherwise, dated by its own period). NULL on lines saved
-- before this column: they were dated by node type (work items and projects by their last
-- working day, milestones by their own period), and read back so.

ALTER TABLE forecast_lines ADD COLUMN date_rule TEXT
    CHECK (date_rule IN ('last_working_day', 'on_the_period'));
