-- Records whose retention runs from "tenancy ended" (6 years for a former
-- tenant's needs, contact points, consent and so on): the sweep starts from
-- tenancies ended on or before the cutoff, reaches their members, and drops
-- anyone with a tenancy still open or ended later; a contact entry waits
-- while a document still points at it.
CREATE INDEX tenancy_ended ON tenancy(end_date, household_id) WHERE end_date IS NOT NULL;
CREATE INDEX tenancy_household_end ON tenancy(household_id, end_date);
CREATE INDEX document_entry ON document(entry_id) WHERE entry_id IS NOT NULL;
