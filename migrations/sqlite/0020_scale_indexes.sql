-- Indexes for per-person reads at a large landlord's scale (docs/performance.md):
-- every hot query is a search of an index, never a scan (a test checks the plans).

-- The contact timeline's visibility clause looks up the caller's team by manager.
CREATE INDEX staff_user_manager ON staff_user(manager_id);
