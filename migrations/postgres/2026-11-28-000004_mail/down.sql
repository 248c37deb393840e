DROP TABLE digest_runs;
DROP TABLE report_links;
DROP TABLE subscriptions;
DROP TABLE outbox;
