-- Shared vision and explored cells of each region's last snapshot (game/README.md, "Shared
-- vision"; protocol/SPEC.md §20), written in the same transaction as its units. Portable SQL,
-- as 0001.

-- Vision grants: empire granter shares what its units see with empire grantee.
CREATE TABLE vision_grants (
    region TEXT NOT NULL,
    granter BIGINT NOT NULL,
    grantee BIGINT NOT NULL,
    PRIMARY KEY (region, granter, grantee)
);

-- The cells each empire has explored: one bit per map cell (cell i at bit i % 8 of byte
-- i / 8), written as lowercase hex; cells is the map's cell count when it was written (a row
-- for another map size is not restored).
CREATE TABLE explored (
    region TEXT NOT NULL,
    empire BIGINT NOT NULL,
    cells BIGINT NOT NULL,
    bits TEXT NOT NULL,
    PRIMARY KEY (region, empire)
);
