DROP TABLE events;
DROP TABLE reports;
DROP TABLE articles;
DROP TABLE api_tokens;
DROP TABLE users;
