-- Static lists beside dynamic segments: their members are added and removed by people, and the
-- engine leaves them alone (a static list has no condition: '').
ALTER TABLE segments ADD COLUMN kind TEXT NOT NULL DEFAULT 'dynamic'
