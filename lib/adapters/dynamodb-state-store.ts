import type { ApplyLock, MonitorStateStore, RunMarkerStore, RunSummaryStore, TransitionReader } from '../domain/ports';
import { createDynamoDbStores, type DynamoDbStoresOptions } from './dynamodb-stores';

/**
 * Every store of the table behind the old 12-method interface, for the API side until it takes the
 * small ports (lib/adapters/dynamodb-stores.ts). Delegates only; new code uses createDynamoDbStores.
 */
export class DynamoDbStateStore {
  readonly loadStates: MonitorStateStore['loadStates'];
  readonly loadState: MonitorStateStore['loadState'];
  readonly saveState: MonitorStateStore['saveState'];
  readonly listTransitions: TransitionReader['listTransitions'];
  readonly previousTransition: TransitionReader['previousTransition'];
  readonly hasRunSummary: RunSummaryStore['hasRunSummary'];
  readonly putRunSummary: RunSummaryStore['putRunSummary'];
  readonly latestRunSummary: RunSummaryStore['latestRunSummary'];
  readonly listRunSummaries: RunSummaryStore['listRunSummaries'];
  readonly markRunStarted: RunMarkerStore['markRunStarted'];
  readonly isRunPending: RunMarkerStore['isRunPending'];
  readonly acquireApplyLock: ApplyLock['acquireApplyLock'];
  readonly releaseApplyLock: ApplyLock['releaseApplyLock'];

  constructor(options: DynamoDbStoresOptions) {
    const { states, transitions, runs, markers, lock } = createDynamoDbStores(options);
    this.loadStates = () => states.loadStates();
    this.loadState = (id) => states.loadState(id);
    this.saveState = (previous, next, transition) => states.saveState(previous, next, transition);
    this.listTransitions = (id) => transitions.listTransitions(id);
    this.previousTransition = (transition) => transitions.previousTransition(transition);
    this.hasRunSummary = (tick) => runs.hasRunSummary(tick);
    this.putRunSummary = (summary) => runs.putRunSummary(summary);
    this.latestRunSummary = (before) => runs.latestRunSummary(before);
    this.listRunSummaries = (from, to) => runs.listRunSummaries(from, to);
    this.markRunStarted = (tick, leaseExpiresAtMs) => markers.markRunStarted(tick, leaseExpiresAtMs);
    this.isRunPending = (tick, nowMs) => markers.isRunPending(tick, nowMs);
    this.acquireApplyLock = (tick, holder, leaseExpiresAtMs, nowMs) => lock.acquireApplyLock(tick, holder, leaseExpiresAtMs, nowMs);
    this.releaseApplyLock = (tick, holder) => lock.releaseApplyLock(tick, holder);
  }
}
