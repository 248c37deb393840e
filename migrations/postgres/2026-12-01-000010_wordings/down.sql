DROP TABLE wordings;
