/**
 * How long the table keeps each kind of item by default (DynamoDB TTL), in days. The deployed
 * values come from serverless.yml's parameters, whose defaults are these.
 */

/** Transitions (the outage and recovery history). */
export const TRANSITION_RETENTION_DAYS = 400;
/** Run summaries; the API reads raw run summaries back this far. */
export const RUN_RETENTION_DAYS = 35;
/**
 * Hourly rollups: a range's cut edges and its days not yet rolled up read them, and the status
 * page's 24 hours. A range starting further back than this counts checks from its first whole day.
 */
export const HOURLY_ROLLUP_RETENTION_DAYS = 100;
/** Daily rollups, rolled up from the hours: a long range reads them. They outlive the hours. */
export const DAILY_ROLLUP_RETENTION_DAYS = 400;
