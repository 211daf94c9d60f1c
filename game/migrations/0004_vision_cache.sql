-- The entities each empire remembers of the region's last snapshot (the vision cache:
-- game/README.md, "Vision cache"; protocol/SPEC.md §20.6), written in the same transaction as
-- its units. Portable SQL, as 0001. age_ticks: ticks since it was last seen when the snapshot
-- was taken; ttl_ticks: ticks left before it is forgotten, -1 until seen again.
CREATE TABLE last_seen (
    region TEXT NOT NULL,
    empire BIGINT NOT NULL,
    id BIGINT NOT NULL,
    kind BIGINT NOT NULL,
    owner BIGINT NOT NULL,
    q BIGINT NOT NULL,
    r BIGINT NOT NULL,
    age_ticks BIGINT NOT NULL,
    ttl_ticks BIGINT NOT NULL,
    PRIMARY KEY (region, empire, id)
);
