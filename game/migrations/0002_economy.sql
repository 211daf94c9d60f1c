-- The economy of each region's last snapshot (game/README.md, "Economy and production"),
-- written in the same transaction as its units. Portable SQL, as 0001.

-- Each empire's stock in a region.
CREATE TABLE stocks (
    region TEXT NOT NULL,
    empire BIGINT NOT NULL,
    credits BIGINT NOT NULL,
    metal BIGINT NOT NULL,
    crystal BIGINT NOT NULL,
    PRIMARY KEY (region, empire)
);

-- The production jobs of each building, in queue order (position from 0). remaining: ticks
-- left of a started job, -1 for a waiting one. paid_*: what a cancel refunds.
CREATE TABLE jobs (
    region TEXT NOT NULL,
    building BIGINT NOT NULL,
    job BIGINT NOT NULL,
    position BIGINT NOT NULL,
    recipe BIGINT NOT NULL,
    repeats BIGINT NOT NULL,
    remaining BIGINT NOT NULL,
    paid_credits BIGINT NOT NULL,
    paid_metal BIGINT NOT NULL,
    paid_crystal BIGINT NOT NULL,
    PRIMARY KEY (region, building, job)
);

-- Buildings still under construction.
CREATE TABLE construction_sites (
    region TEXT NOT NULL,
    building BIGINT NOT NULL,
    PRIMARY KEY (region, building)
);
