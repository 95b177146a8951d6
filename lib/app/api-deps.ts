import type { RunRollupStore, StateStore } from '../domain/ports';
import type { MonitorsConfig } from '../domain/types';

/** What the API's use cases need: the stores, the validated monitors file and the wall clock. */
export interface ApiDeps {
  store: StateStore;
  /** Hourly rollups of the run summaries, for check counts and response times. */
  rollups: RunRollupStore;
  config: MonitorsConfig;
  /** The wall clock. */
  now: () => Date;
}
