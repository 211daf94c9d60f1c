-- Friends, mail and presence (game/README.md, "Social layer"; protocol/SPEC.md §22). They
-- belong to players, not regions: keyed by user id, the same in every region. Portable SQL,
-- as 0001.

-- A friend request: user_id asked for friend_id. Two players are friends when both rows
-- exist; since is when the row was written (Unix seconds).
CREATE TABLE friends (
    user_id BIGINT NOT NULL REFERENCES players (user_id),
    friend_id BIGINT NOT NULL REFERENCES players (user_id),
    since BIGINT NOT NULL,
    PRIMARY KEY (user_id, friend_id)
);
CREATE INDEX friends_by_friend ON friends (friend_id, user_id);

-- Mail kept until its recipient deletes it. from_name is the sender's name when it wrote.
CREATE TABLE mail (
    id BIGINT PRIMARY KEY,
    to_user BIGINT NOT NULL REFERENCES players (user_id),
    from_user BIGINT NOT NULL,
    from_name TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX mail_by_recipient ON mail (to_user, id);
INSERT INTO id_counters (name, next_id) VALUES ('mail', 1);

-- Where each player is (0 offline, 1 online, 2 in game) and the region that said so.
ALTER TABLE players ADD COLUMN presence BIGINT NOT NULL DEFAULT 0;
ALTER TABLE players ADD COLUMN presence_region TEXT NOT NULL DEFAULT '';
