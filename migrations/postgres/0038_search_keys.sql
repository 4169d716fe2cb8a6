-- The customer search tells people apart and finds close spellings (#27).
-- given_sound and family_sound hold each name's sound key (Soundex over
-- the name with its accents taken off) so "Invently" finds "Inventley"
-- through an index; the existing *_key columns now hold names folded to
-- plain lower-case letters ("Sian" finds "Siân"). contact_point.value_key
-- holds a phone number's national digits or an email address in lower
-- case, so "+44 7700 900123" finds "07700 900123". NULL until the store
-- has computed them: Store::migrate fills in rows written before this
-- migration, and retention empties them with the values they come from.
-- audit_event_actor lets the home page list the people a member of staff
-- opened most recently without reading the whole trail.
ALTER TABLE person ADD COLUMN given_sound TEXT;
ALTER TABLE person ADD COLUMN family_sound TEXT;
CREATE INDEX person_given_sound ON person(given_sound);
CREATE INDEX person_family_sound ON person(family_sound);
ALTER TABLE contact_point ADD COLUMN value_key TEXT;
CREATE INDEX contact_point_value_key ON contact_point(value_key);
CREATE INDEX audit_event_actor ON audit_event(actor_id, id);
