CREATE TABLE standards (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users (id),
    UNIQUE (code, version)
);

CREATE TABLE corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL REFERENCES articles (id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    original TEXT,
    corrected TEXT,
    headline BOOLEAN NOT NULL,
    supersedes INTEGER REFERENCES corrections (id),
    status TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    approved_by INTEGER REFERENCES users (id),
    published_by INTEGER REFERENCES users (id),
    published_at TIMESTAMP
);
CREATE INDEX corrections_article ON corrections (article_id, status);
CREATE INDEX corrections_published ON corrections (status, published_at, id);

CREATE TABLE correction_standards (
    correction_id INTEGER NOT NULL REFERENCES corrections (id),
    standard_id INTEGER NOT NULL REFERENCES standards (id),
    PRIMARY KEY (correction_id, standard_id)
);

CREATE TABLE correction_reports (
    correction_id INTEGER NOT NULL REFERENCES corrections (id),
    report_id INTEGER NOT NULL REFERENCES reports (id),
    PRIMARY KEY (correction_id, report_id)
);

CREATE TABLE log_entries (
    idx BIGINT PRIMARY KEY NOT NULL,
    correction_id INTEGER NOT NULL UNIQUE REFERENCES corrections (id),
    canonical TEXT NOT NULL,
    hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

INSERT INTO standards (code, version, title, body, created_at) VALUES
('corrections', 1, 'Corrections policy',
'We correct errors of fact promptly, openly and in the same place the error appeared. A correction says what was wrong and what is right, and is labelled as a correction: we do not disguise corrections as updates.

We never unpublish a correction or quietly change a published article. If a correction itself needs amending, we publish a new correction that supersedes it, and both stay in the public log.

Clarifications add context where the original was accurate but could mislead. Updates report new developments. An editor''s note explains a problem with how a story was reported. A retraction withdraws a story whose central claim does not stand; retractions and corrections to headlines are approved by a second senior editor before they are published.

Anyone can report an error from the link under every article. An editor reviews every report and the reader is told the outcome.', '2026-11-28 00:00:00'),
('accuracy', 1, 'Accuracy',
'We take every reasonable step to get facts right: names, numbers, dates, places, titles and quotations. We check claims against primary sources wherever we can, and we say plainly when something could not be verified.

When we get something wrong, we correct it under our corrections policy.', '2026-11-28 00:00:00'),
('attribution', 1, 'Attribution and sourcing',
'We tell readers where information comes from. Quotations are reproduced exactly and attributed to the person who said them, in context. We identify sources by name wherever possible; when we grant anonymity we explain why and describe the source as precisely as we safely can.

We credit other news organisations when we rely on their reporting.', '2026-11-28 00:00:00'),
('fairness', 1, 'Fairness and right of reply',
'We give people and organisations who are criticised in our reporting a fair opportunity to respond before publication, and we report their response fairly. We do not misrepresent the views of the people we cover.', '2026-11-28 00:00:00'),
('headlines', 1, 'Headlines',
'Headlines, summaries and social posts must be supported by the story they introduce. A headline that overstates, distorts or misleads is an error and is corrected like any other.', '2026-11-28 00:00:00'),
('images', 1, 'Images and captions',
'Captions identify who and what is shown, where and when. We do not alter the content of news photographs. Illustrations and composites are labelled as such.', '2026-11-28 00:00:00'),
('data', 1, 'Data and numbers',
'We report numbers with their source, their unit and their context. We distinguish estimates from counts, and we say when figures are provisional, disputed or out of date.', '2026-11-28 00:00:00');
