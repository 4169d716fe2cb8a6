-- Single sign-on (OpenID Connect): an account signed in through the
-- organisation's identity provider is linked to the provider's subject
-- (`iss` and `sub`), so a renamed username still finds the same person and
-- another person's token can never take the account over. A session notes
-- how it was opened: two-step sign-in is the provider's job for a directory
-- session, Hearth's for a password one.
ALTER TABLE staff_user ADD COLUMN directory_subject TEXT;
CREATE UNIQUE INDEX staff_user_directory_subject ON staff_user (directory_subject);
ALTER TABLE staff_session ADD COLUMN method TEXT NOT NULL DEFAULT 'password';
