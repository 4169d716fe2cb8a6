-- Provisioning from the organisation's directory over SCIM 2.0 (#25). An
-- account the directory made is of origin 'directory' and never has a
-- password ('!' matches none); one made in Hearth is 'local'. A directory
-- account whose groups map to no role has no role yet (no_role = 1): the
-- role column keeps a placeholder that is never acted as, since no session
-- or actor is made for it. The directory's externalId and the primary work
-- email are kept; directory_roles holds the values of the User's roles (app
-- roles, as a JSON list), mapped like group names. Deleting a user over SCIM
-- never deletes the row (history names leavers): it disables the account
-- and sets deprovisioned_at, after which SCIM no longer sees it.
ALTER TABLE staff_user ADD COLUMN origin TEXT NOT NULL DEFAULT 'local' CHECK (origin IN ('local', 'directory'));
ALTER TABLE staff_user ADD COLUMN no_role INTEGER NOT NULL DEFAULT 0 CHECK (no_role IN (0, 1));
ALTER TABLE staff_user ADD COLUMN external_id TEXT;
ALTER TABLE staff_user ADD COLUMN email TEXT;
ALTER TABLE staff_user ADD COLUMN directory_roles TEXT NOT NULL DEFAULT '[]';
ALTER TABLE staff_user ADD COLUMN modified_at TEXT;
ALTER TABLE staff_user ADD COLUMN deprovisioned_at TEXT;

-- Directory groups as the provisioning service pushes them: the identity
-- file maps a group's display name or externalId to a role.
CREATE TABLE staff_group (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    display_name TEXT NOT NULL,
    external_id TEXT,
    created_at TEXT NOT NULL,
    modified_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE staff_group_member (
    group_id INTEGER NOT NULL REFERENCES staff_group(id),
    user_id INTEGER NOT NULL REFERENCES staff_user(id),
    added_at TEXT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX staff_group_member_user ON staff_group_member (user_id);
