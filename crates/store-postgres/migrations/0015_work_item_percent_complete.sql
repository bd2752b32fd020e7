-- How much of a work item's estimated work is done, in whole percent. Plans and forecasts of an
-- open item schedule the rest of its estimate only. Existing items start at 0 (planned as before).

ALTER TABLE work_items ADD COLUMN percent_complete BIGINT NOT NULL DEFAULT 0
    CHECK (percent_complete BETWEEN 0 AND 100);
