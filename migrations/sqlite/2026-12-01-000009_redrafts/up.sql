-- A correction drafted again after a standards editor returned it names the returned one,
-- so the desk stops listing the returned one as waiting for its author.
ALTER TABLE corrections ADD COLUMN redrafts INTEGER REFERENCES corrections (id);
CREATE INDEX corrections_redrafts ON corrections (redrafts);
