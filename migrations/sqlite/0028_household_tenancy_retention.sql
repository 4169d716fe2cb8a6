-- Households and tenancies are deleted 6 years after the tenancy ended, in
-- order: a disposed person's memberships, then a tenancy no membership of
-- its household still points at, then the household once nothing is left in
-- it. A household records the latest end date of the tenancies retention
-- deleted from it, so it is found on that date (not by its creation time,
-- which an import sets to the day of import) and only once retention has
-- emptied it: a household just created, with nobody in it yet, is never found.
ALTER TABLE household ADD COLUMN tenancy_ended_on TEXT;
CREATE INDEX household_tenancy_ended ON household(tenancy_ended_on, id) WHERE tenancy_ended_on IS NOT NULL;
