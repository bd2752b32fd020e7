-- A RICE effort and a CD3 duration are now at least 0.001 (person-months, weeks): below that a
-- score grows past any meaning (1e-300 made it infinite). Values saved before under that
-- minimum are raised to it, so that every stored input reads back valid.

UPDATE backlog_details SET rice_effort = 0.001 WHERE rice_effort < 0.001;
UPDATE backlog_details SET cd3_duration_weeks = 0.001 WHERE cd3_duration_weeks < 0.001;
