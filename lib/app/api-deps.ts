import type { MonitorStateStore, RunRollupStore, RunSummaryStore, TransitionReader } from '../domain/ports';
import type { MonitorsConfig } from '../domain/types';
import type { MaintenanceReader } from '../domain/maintenance';

/** What the API's use cases need: the stores, the validated monitors file and the wall clock. */
export interface ApiDeps {
  /** Monitor states, as the probe left them. */
  states: Pick<MonitorStateStore, 'loadStates' | 'loadState'>;
  transitions: Pick<TransitionReader, 'listTransitions' | 'listTransitionsSince'>;
  /** Run summaries: the latest run, and raw runs for hours not rolled up. */
  runs: Pick<RunSummaryStore, 'latestRunSummary' | 'listRunSummaries'>;
  /** Hourly and daily rollups of the run summaries, for check counts and response times. */
  rollups: RunRollupStore;
  config: MonitorsConfig;
  /** Ad-hoc maintenance windows (the configured ones are in `config`). */
  maintenance: MaintenanceReader;
  /** The wall clock. */
  now: () => Date;
}
