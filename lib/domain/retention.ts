/**
 * How long the table keeps each kind of item by default (DynamoDB TTL), in days. The deployed
 * values come from serverless.yml's parameters, whose defaults are these.
 */

/** Transitions (the outage and recovery history) and the hourly rollups read beside them. */
export const TRANSITION_RETENTION_DAYS = 400;
/** Run summaries; the API reads raw run summaries back this far. */
export const RUN_RETENTION_DAYS = 35;
