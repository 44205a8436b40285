-- The negotiation room (issue 11): named drafts of the next SLA version and the record of adoptions.
-- A draft's terms are one [[versions]] block as sla.toml text (with its tiers), read back through the one
-- validator (core.terms.parse_sla), so a draft can never hold terms an import would refuse. Adopting a draft
-- appends a version (never edits one) and writes a row here, beside the "terms" import that put it in force.
CREATE TABLE sla_drafts (
    name     VARCHAR NOT NULL PRIMARY KEY,
    terms    VARCHAR NOT NULL,   -- a [[versions]] block: the draft's clauses and tiers
    note     VARCHAR NOT NULL DEFAULT '',
    author   VARCHAR,            -- the signed-in user, when there is sign-in
    based_on VARCHAR,            -- the version the draft started from
    saved_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE sla_adoptions (
    adopted_at     TIMESTAMPTZ NOT NULL,
    author         VARCHAR,
    draft          VARCHAR NOT NULL,
    version        VARCHAR NOT NULL,   -- the new version's name
    effective_from DATE NOT NULL,
    import_id      BIGINT NOT NULL     -- the "terms" import that put it in force
);
