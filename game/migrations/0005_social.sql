-- The alliances of each region's last snapshot (game/README.md, "Social layer";
-- protocol/SPEC.md §21.2), written in the same transaction as its units. Portable SQL, as 0001.

-- One alliance: its id in the region and its name.
CREATE TABLE alliances (
    region TEXT NOT NULL,
    id BIGINT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (region, id)
);

-- Its members: role 0 member, 1 officer, 2 leader; since orders who joined first; name is
-- the member's player name when it last joined.
CREATE TABLE alliance_members (
    region TEXT NOT NULL,
    alliance BIGINT NOT NULL,
    empire BIGINT NOT NULL,
    role BIGINT NOT NULL,
    since BIGINT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (region, empire)
);

-- Its pending invitations and the empire that sent each.
CREATE TABLE alliance_invites (
    region TEXT NOT NULL,
    alliance BIGINT NOT NULL,
    empire BIGINT NOT NULL,
    inviter BIGINT NOT NULL,
    PRIMARY KEY (region, alliance, empire)
);
