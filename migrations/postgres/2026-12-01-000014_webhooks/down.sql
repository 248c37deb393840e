DROP TABLE webhook_overdue_alerts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
