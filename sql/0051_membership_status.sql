-- 0051_membership_status: a member of a tenant can be disabled there.
--
-- Disabling is per tenant (a person may belong to several): a disabled
-- membership grants nothing, is not offered by the tenant switcher and
-- is not a place to sign in to.  Someone whose every membership is
-- disabled cannot sign in at all (see fcgi/login.c).
ALTER TABLE memberships
    ADD COLUMN disabled_at timestamptz,
    ADD COLUMN disabled_by uuid REFERENCES users ON DELETE SET NULL;

-- "Who are the active owners of this tenant" (the last-owner rule).
CREATE INDEX memberships_owner_idx ON memberships (tenant_id)
    WHERE role = 'owner' AND disabled_at IS NULL;
