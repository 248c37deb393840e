DROP INDEX reports_open_assignee;
DROP INDEX reports_open_age;
DROP INDEX reports_open_rank;
DROP INDEX reports_open;
DROP INDEX reports_reporter_email;
DROP INDEX articles_search;
DROP INDEX reports_search;
