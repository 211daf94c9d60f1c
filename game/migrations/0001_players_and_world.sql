-- One schema for SQLite (embedded) and PostgreSQL (production), applied by sqlx migrate.
-- Portable SQL only: BIGINT and TEXT columns, no auto-increment (ids come from id_counters),
-- no database-specific defaults (times are written by the server, in Unix seconds).

-- Players are global: one row per user, whatever region they play in.
CREATE TABLE players (
    user_id BIGINT PRIMARY KEY,
    username TEXT NOT NULL,
    -- The region the player belongs to, assigned at the first join by [store] home_region_policy.
    home_region TEXT NOT NULL,
    -- The player's empire id, the same in every region.
    empire BIGINT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- Global id sequences (portable replacement for AUTOINCREMENT / IDENTITY).
CREATE TABLE id_counters (
    name TEXT PRIMARY KEY,
    next_id BIGINT NOT NULL
);
INSERT INTO id_counters (name, next_id) VALUES ('empire', 1);

-- A player's empire in one region: its spawn point there.
CREATE TABLE region_empires (
    region TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES players (user_id),
    spawn BIGINT NOT NULL,
    PRIMARY KEY (region, user_id)
);
CREATE INDEX region_empires_spawn ON region_empires (region, spawn);

-- The last world snapshot of each region (written whole, in one transaction).
CREATE TABLE world_snapshots (
    region TEXT PRIMARY KEY,
    tick BIGINT NOT NULL,
    units BIGINT NOT NULL,
    taken_at BIGINT NOT NULL
);

-- The units of each region's last snapshot.
CREATE TABLE units (
    region TEXT NOT NULL,
    id BIGINT NOT NULL,
    empire BIGINT NOT NULL,
    kind BIGINT NOT NULL,
    q BIGINT NOT NULL,
    r BIGINT NOT NULL,
    health BIGINT NOT NULL,
    PRIMARY KEY (region, id)
);
