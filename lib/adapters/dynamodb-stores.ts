import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RunStores, ScopedRunStores, TransitionReader } from '../domain/ports';
import type { RunScope } from '../domain/shards';
import { DynamoDbApplyLock } from './dynamodb-apply-lock';
import { UNSHARDED } from './dynamodb-items';
import { DynamoDbMonitorStateStore } from './dynamodb-monitor-state-store';
import { DynamoDbRunMarkerStore } from './dynamodb-run-marker-store';
import { DynamoDbRunRollupStore } from './dynamodb-run-rollup-store';
import { DynamoDbRunSummaryStore } from './dynamodb-run-summary-store';
import { DynamoDbTransitionReader } from './dynamodb-transition-reader';
import { DynamoDbMaintenanceStore } from './dynamodb-maintenance-store';

export interface DynamoDbStoresOptions {
  client: DynamoDBClient;
  tableName: string;
  /** How long transitions and ad-hoc maintenance windows are kept (TTL). Default TRANSITION_RETENTION_DAYS. */
  transitionRetentionDays?: number;
  /** How long hourly rollups are kept (TTL). Default HOURLY_ROLLUP_RETENTION_DAYS. */
  hourlyRollupRetentionDays?: number;
  /** How long daily rollups are kept (TTL). Default DAILY_ROLLUP_RETENTION_DAYS. */
  dailyRollupRetentionDays?: number;
  /** How long run summaries are kept (TTL). Default RUN_RETENTION_DAYS. */
  runRetentionDays?: number;
}

/** Every store of the monitor table, and their view for one shard's runs. */
export interface DynamoDbStores extends ScopedRunStores {
  transitions: TransitionReader;
  rollups: DynamoDbRunRollupStore;
  /** Ad-hoc maintenance windows. */
  maintenance: DynamoDbMaintenanceStore;
}

/**
 * The stores of one monitor table, one adapter per kind of item. They share one roster cache
 * (rosters stored once per configuration, known for as long as the container lives).
 */
export function createDynamoDbStores(options: DynamoDbStoresOptions): DynamoDbStores {
  const { client, tableName, transitionRetentionDays, runRetentionDays, hourlyRollupRetentionDays, dailyRollupRetentionDays } = options;
  const rosters = new Map<string, string[]>();
  const runStores = (scope: RunScope): RunStores => ({
    states: new DynamoDbMonitorStateStore({ client, tableName, scope, transitionRetentionDays }),
    runs: new DynamoDbRunSummaryStore({ client, tableName, scope, rosters, runRetentionDays }),
    markers: new DynamoDbRunMarkerStore({ client, tableName, scope }),
    lock: new DynamoDbApplyLock({ client, tableName, scope }),
  });
  return {
    ...runStores(UNSHARDED),
    // Each shard's runs have their own run summaries, run markers and apply lock (keys end in `#<shard>`),
    // so shards of one tick neither skip nor wait for each other, and read only their monitors' states.
    scoped: runStores,
    transitions: new DynamoDbTransitionReader({ client, tableName }),
    rollups: new DynamoDbRunRollupStore({
      client,
      tableName,
      rosters,
      hourlyRetentionDays: hourlyRollupRetentionDays,
      dailyRetentionDays: dailyRollupRetentionDays,
    }),
    maintenance: new DynamoDbMaintenanceStore({ client, tableName, transitionRetentionDays }),
  };
}
