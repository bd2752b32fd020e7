-- A program's status date: the day its plans and forecasts are made as of (`YYYY-MM-DD`, as the
-- other dates in 0001); NULL when none, and on programs saved before this column: they are planned
-- as of the day the plan is computed.

ALTER TABLE programs ADD COLUMN status_date TEXT CHECK (length(status_date) = 10);
