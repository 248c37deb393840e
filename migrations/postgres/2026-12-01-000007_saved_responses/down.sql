DROP TABLE saved_responses;
