-- A work item's release date: the day it reached (or is planned to reach) users, entered by hand;
-- NULL when none. When set, the metrics use it as the item's release instead of the audit trail's
-- last move to done.

ALTER TABLE work_items ADD COLUMN released_on DATE;
